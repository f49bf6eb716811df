#!/usr/bin/env bash
# Serve the demo with one background worker beside the web server (`make demo`).
#
#   PARCERIA=/path/to/parceria scripts/demo-serve.sh
#
# Starts `parceria worker` in the background, says so, then runs `parceria serve`. When the server stops (Ctrl+C,
# SIGTERM to this script, or the server exiting by itself) the worker is sent SIGTERM, finishes the task it is
# running and stops; the script waits for it and exits with the server's status.
set -u

PARCERIA=${PARCERIA:-parceria}
worker=""
server=""

stop() {
    [ -n "$server" ] && kill -TERM "$server" 2>/dev/null
    [ -n "$worker" ] && kill -TERM "$worker" 2>/dev/null
    [ -n "$server" ] && wait "$server" 2>/dev/null
    [ -n "$worker" ] && wait "$worker" 2>/dev/null
    worker=""
    server=""
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# In a session of its own, so that Ctrl+C in the terminal reaches it once, as this script's SIGTERM, and it stops
# gracefully (two signals would make it stop at once).
setsid $PARCERIA worker --threads 1 &
worker=$!
echo "Background worker started beside the web server (parceria worker, process $worker); it stops with the server."

$PARCERIA serve &
server=$!
wait "$server"
status=$?
server=""
exit "$status"

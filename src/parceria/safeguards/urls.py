"""The Safeguards pages of the console (namespace safeguards_console, under /console/safeguards/): the flags with
filters and export, a flag's page with its evidence, and clearing a flag."""

from django.urls import path

from parceria.safeguards.views import console

console_patterns = [
    path("safeguards/", console.flags, name="list"),
    path("safeguards/<int:flag_id>/", console.flag, name="detail"),
    path("safeguards/<int:flag_id>/clear/", console.clear, name="clear"),
]

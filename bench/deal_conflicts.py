"""Deal registration conflict check benchmark: p50/p99 latency of POST /api/v1/deal-registrations over HTTP on
PostgreSQL with 1,000,000 customers, 100,000 active registrations of other partners and 10,000 open opportunities
of the direct-sales pipeline. Target: p99 < 20 ms per registration.

Setup (not measured): a scratch database in the DATABASE_URL server, migrated with `parceria migrate`; partners
and their API keys through the services (bench/_deal_seed.py); customers, registrations and opportunities with
INSERT … SELECT generate_series (names of three words from lists of 100, so every name is distinct and shares
words with many others, as real company names do), the trigram indexes dropped during the load and rebuilt after,
then VACUUM (ANALYZE).

Measured: `parceria serve --workers 2` on a free loopback port; `--clients` threads (default 1: the latency of
one registration, since the conflict checks of all partners are serialised by one lock) each POST registrations
back to back with their own partner's key, over a kept-alive http.client connection. Each body is a new company
with a valid CNPJ; one in ten reuses a customer's CNPJ root (a branch: rejected), one in ten a customer's exact
name (in review), one in ten an open opportunity's domain (rejected); the others share words with existing names
(the trigram search has candidates to read) and are approved. Every answer must be 201 with the expected status;
anything else counts as an error. Baselines in the same run, beside the figures: GET /healthz on the same server
and client (every middleware and a `SELECT 1`) and a bare indexed SELECT of a customer by tax id from the client
through psycopg (no HTTP, no Django).

One JSON line on stdout; progress on stderr. PostgreSQL only: without a PostgreSQL DATABASE_URL it says so and
exits 0.

    scripts/with-postgres.sh .venv/bin/python bench/deal_conflicts.py            # the full size
    scripts/with-postgres.sh .venv/bin/python bench/deal_conflicts.py --customers 100000 --registrations 10000
"""

from __future__ import annotations

import argparse
import http.client
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from stdnum.br import cnpj

from _common import LOOPBACK, emit, log, percentile
from _database import _admin_connect, run_on_postgres, scratch_postgres
from _server import PARCERIA, app_env, migrate, run, run_bench_script, serve

TARGET_P99_MS = 20.0
PATH = "/api/v1/deal-registrations"

W1 = (
    "alfa", "andes", "aurora", "azul", "boa", "brasil", "campo", "capital", "central", "cerrado", "cidade", "clara",
    "cobre", "cristal", "delta", "digital", "dourado", "eco", "elo", "estrela", "forte", "futuro", "global",
    "grande", "horizonte", "ideal", "imperial", "lago", "leste", "litoral", "lua", "mar", "mata", "mega", "minas",
    "monte", "nacional", "nobre", "norte", "nova", "novo", "oceano", "oeste", "omega", "onda", "ouro", "pampa",
    "paulista", "pedra", "pioneira", "planalto", "ponte", "prata", "prime", "primeira", "real", "rio", "rosa",
    "santa", "sao", "serra", "sete", "sol", "solar", "sul", "terra", "topo", "total", "tropical", "uniao", "unica",
    "vale", "verde", "via", "vila", "vitoria", "alto", "baixo", "bela", "bom", "casa", "centro", "coral", "flor",
    "jardim", "luz", "mais", "palmeira", "pinheiro", "praia", "recanto", "ribeira", "santo", "seguro", "tres",
    "vento", "amazonia", "brisa", "canto", "dunas"
)
W2 = (
    "agro", "alimentos", "arquitetura", "assessoria", "auto", "barbearia", "bebidas", "bike", "cafe", "calcados",
    "carnes", "clinica", "comercio", "construtora", "consultoria", "contabilidade", "cosmeticos", "distribuidora",
    "editora", "educacao", "eletrica", "energia", "engenharia", "escola", "esportes", "estetica", "eventos",
    "farma", "ferragens", "financeira", "fitness", "foods", "gastronomia", "grafica", "hotel", "imoveis",
    "industria", "informatica", "insumos", "joias", "labs", "laticinios", "limpeza", "logistica", "madeiras",
    "marketing", "materiais", "mecanica", "medica", "metais", "moveis", "moda", "motors", "odonto", "otica",
    "padaria", "papelaria", "pet", "plasticos", "pneus", "quimica", "reciclagem", "restaurante", "saude", "seguros",
    "servicos", "sistemas", "software", "solucoes", "supermercado", "tecidos", "tecnologia", "telecom", "textil",
    "tintas", "transportes", "turismo", "veiculos", "vidros", "viagens", "vinhos", "academia", "acougue", "adega",
    "aluminio", "artes", "audio", "baterias", "brinquedos", "cervejaria", "chocolates", "climatizacao",
    "confeccoes", "decoracao", "drogaria", "embalagens", "floricultura", "fotografia", "funilaria", "hortifruti",
    "lavanderia"
)
W3 = (
    "silva", "santos", "oliveira", "souza", "rodrigues", "ferreira", "alves", "pereira", "lima", "gomes", "costa",
    "ribeiro", "martins", "carvalho", "almeida", "lopes", "soares", "fernandes", "vieira", "barbosa", "rocha",
    "dias", "nascimento", "andrade", "moreira", "nunes", "marques", "machado", "mendes", "freitas", "cardoso",
    "ramos", "goncalves", "santana", "teixeira", "araujo", "pinto", "correia", "cavalcanti", "batista", "campos",
    "monteiro", "moura", "reis", "mattos", "barros", "castro", "duarte", "miranda", "farias", "pires", "coelho",
    "medeiros", "bezerra", "sales", "cunha", "brito", "tavares", "macedo", "peixoto", "sampaio", "xavier", "aguiar",
    "fonseca", "viana", "maia", "rezende", "leite", "borges", "morais", "neves", "queiroz", "amaral", "fagundes",
    "paiva", "porto", "azevedo", "bastos", "brandao", "cordeiro", "dantas", "esteves", "figueiredo", "guimaraes",
    "junqueira", "lacerda", "lobo", "magalhaes", "meireles", "pacheco", "prado", "quintana", "siqueira", "torres",
    "uchoa", "valente", "arruda", "bittencourt", "camargo", "diniz", "franco"
)
W4 = (
    "acai", "baru", "caju", "cupuacu", "guarana", "jabuticaba", "mangaba", "pequi", "pitanga", "umbu", "buriti",
    "cacau", "graviola", "jatoba", "murici", "pitomba", "sapoti", "taruma", "tucuma", "umari", "abiu", "bacaba",
    "bacuri", "biriba", "cambuci", "camu", "caqui", "carambola", "cereja", "goiaba", "inga", "jambo", "jenipapo",
    "juca", "lichia", "macauba", "manga", "maracuja", "mirtilo", "nespera", "oiti", "pajura", "pupunha", "roma",
    "sabia", "seriguela", "tamarindo", "uvaia", "vinagreira", "aroeira", "angico", "cedro", "ipe", "jacaranda",
    "jequitiba", "peroba", "sucupira", "cajuina", "bromelia", "orquidea", "vitoriaregia", "heliconia", "ixora",
    "manaca", "quaresmeira", "sibipiruna", "tipuana", "urucum", "babacu", "carnauba", "licuri", "ouricuri", "tucum",
    "inaja", "pataua", "paxiuba", "acerola", "araticum", "cagaita", "guapeva", "gabiroba", "marolo", "araca",
    "pindaiba", "ariticum", "cambuca", "grumixama", "jaracatia", "pequia", "aracauna", "bacupari", "saputa",
    "mamey", "jurubeba", "mandacaru", "sapucaia", "taioba", "tapereba", "bilimbi", "cajarana", "mutamba", "pitaya"
)


@dataclass(frozen=True)
class Size:
    customers: int
    registrations: int
    opportunities: int
    partners: int
    requests: int


FULL = Size(customers=1_000_000, registrations=100_000, opportunities=10_000, partners=1_000, requests=2_000)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=FULL.customers)
    parser.add_argument("--registrations", type=int, default=FULL.registrations, help="active, of other partners")
    parser.add_argument("--opportunities", type=int, default=FULL.opportunities, help="open ones")
    parser.add_argument("--partners", type=int, default=FULL.partners)
    parser.add_argument("--requests", type=int, default=FULL.requests, help="registrations measured")
    parser.add_argument("--clients", type=int, default=1, help="concurrent clients, one partner key each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--warm-up", type=int, default=100, help="registrations sent before measuring")
    args = parser.parse_args(argv)
    args.customers = min(args.customers, 100**3)
    return args


def _words(name: str, words: tuple[str, ...] | list[str]) -> str:
    return f"{name} text[] := ARRAY[{', '.join(repr(w) for w in words)}]"


def _name_sql(a: str, b: str, c: str, i: str) -> tuple[str, str]:
    """The SQL of a three-word name (capitalised, with a legal suffix) and of its normalised form."""
    words = (f"{a}[1 + {i} % 100]", f"{b}[1 + ({i} / 100) % 100]", f"{c}[1 + ({i} / 10000) % 100]")
    plain = " || ' ' || ".join(words)
    return f"initcap({plain}) || ' Ltda'", plain


def _seed_sql(size: Size, partner_ids: list[int]) -> str:
    c_name, c_norm = _name_sql("w1", "w2", "w3", "i")
    r_name, r_norm = _name_sql("w4", "w3", "w1", "i")
    o_name, o_norm = _name_sql("w2", "w4", "w3", "i")
    first, count = min(partner_ids), len(partner_ids)
    return f"""
DO $$
DECLARE
  {_words("w1", W1[:100])}; {_words("w2", W2[:100])}; {_words("w3", W3[:100])}; {_words("w4", W4[:100])};
BEGIN
  INSERT INTO customers_customer (external_id, name, normalised_name, tax_id, domain, country, vertical, status,
                                  created_at, updated_at)
  SELECT 'bench-' || i, {c_name}, {c_norm}, lpad(i::text, 8, '0') || '000100', 'c' || i || '.com.br', 'BR', '',
         'active', now(), now()
  FROM generate_series(1, {size.customers}) AS i;

  INSERT INTO deals_dealregistration (partner_id, company_name, normalised_name, country, tax_id, cnpj_root, domain,
      contact_name, contact_email, estimated_value, currency, vertical, region, notes, status, reason, expires_on,
      created_by_label, created_at, decided_by_label)
  SELECT {first} + i % {count}, {r_name}, {r_norm}, 'BR', (10000000 + i)::text || '000100',
         (10000000 + i)::text, 'r' || i || '.com.br', 'Contato', 'c@r' || i || '.com.br', 1000, 'BRL', '', '', '',
         'approved', 'Registered', current_date + 60, 'bench', now(), 'conflict check'
  FROM generate_series(1, {size.registrations}) AS i;

  INSERT INTO deals_opportunity (external_id, company_name, normalised_name, country, tax_id, cnpj_root, domain,
      stage, owner_label, currency, created_at, updated_at)
  SELECT 'crm-' || i, {o_name}, {o_norm}, 'BR', (30000000 + i)::text || '000100', (30000000 + i)::text,
         'o' || i || '.com.br', 'open', 'Vendas', '', now(), now()
  FROM generate_series(1, {size.opportunities}) AS i;
END $$;
"""


TRGM = ("customers_customer", "deals_dealregistration", "deals_opportunity")


def seed(env: dict[str, str], scratch: str, size: Size, clients: int) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    migrate(env)
    seeded = orjson.loads(run_bench_script("_deal_seed.py", [str(size.partners), str(clients)], env).splitlines()[-1])
    log(f"{len(seeded['partners'])} partners and {len(seeded['keys'])} keys through the services")
    with _admin_connect(scratch) as conn:
        for table in TRGM:
            conn.execute(f"DROP INDEX IF EXISTS {table}_normalised_name_trgm")
        step = time.perf_counter()
        conn.execute(_seed_sql(size, seeded["partners"]))
        log(f"inserted {size.customers:,} customers, {size.registrations:,} registrations, {size.opportunities:,} "
            f"opportunities in {time.perf_counter() - step:.0f}s")
        step = time.perf_counter()
        for table in TRGM:
            conn.execute(f"CREATE INDEX {table}_normalised_name_trgm ON {table} USING gin (normalised_name "
                         "gin_trgm_ops) WITH (fastupdate = off)")
        log(f"trigram indexes rebuilt in {time.perf_counter() - step:.0f}s")
        conn.execute("VACUUM (ANALYZE)")
    return seeded["keys"], time.perf_counter() - started


def _valid_cnpj(root: int, branch: int = 1) -> str:
    base = f"{root:08d}{branch:04d}"
    return base + cnpj.calc_check_digits(base)


@dataclass
class Plan:
    body: bytes
    expected: str


def plans(size: Size, count: int, offset: int) -> list[Plan]:
    """`count` registrations; one in ten a customer's branch, one in ten a customer's name, one in ten an open
    opportunity's domain, the rest new companies whose names share words with existing ones."""
    out = []
    for k in range(offset, offset + count):
        body: dict[str, Any] = {
            "company_name": f"{W1[k % 100].title()} {W2[(k // 100) % 100].title()} {W4[(k // 7) % 100].title()} "
                            f"{k} Comercio", "country": "BR", "tax_id": _valid_cnpj(50_000_000 + k),
            "domain": f"nova{k}.com.br", "contact_name": "Joana Lima", "contact_email": f"joana@nova{k}.com.br",
            "estimated_value": "12500.00", "currency": "BRL", "vertical": "varejo", "region": "SP"}
        expected = "approved"
        customer = 1 + (k * 7919) % size.customers
        if k % 10 == 3:
            body["tax_id"] = _valid_cnpj(customer, 2)
            expected = "rejected"
        elif k % 10 == 6:
            words = (W1[customer % 100], W2[(customer // 100) % 100], W3[(customer // 10000) % 100])
            body["company_name"] = " ".join(w.upper() for w in words) + " S.A."
            expected = "in_review"
        elif k % 10 == 9 and size.opportunities:
            body["domain"] = f"o{1 + k % size.opportunities}.com.br"
            expected = "rejected"
        out.append(Plan(orjson.dumps(body), expected))
    return out


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _client(port: int, key: str, work: list[Plan], load: Load, lock: threading.Lock, path: str = PATH) -> None:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=60)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    try:
        for plan in work:
            started = time.perf_counter()
            if path == PATH:
                conn.request("POST", path, body=plan.body, headers=headers)
            else:
                conn.request("GET", path)
            response = conn.getresponse()
            data = response.read()
            latency = time.perf_counter() - started
            with lock:
                load.latencies.append(latency)
                if path != PATH:
                    if response.status != 200:
                        load.errors.append(f"HTTP {response.status}")
                    continue
                status = orjson.loads(data).get("status") if response.status == 201 else None
                load.statuses[str(status)] = load.statuses.get(str(status), 0) + 1
                if response.status != 201 or status != plan.expected:
                    load.errors.append(f"HTTP {response.status} {status} (expected {plan.expected}): {data[:200]!r}")
    finally:
        conn.close()


def run_load(port: int, keys: list[dict[str, Any]], work: list[Plan], path: str = PATH) -> Load:
    load, lock = Load(), threading.Lock()
    shares = [work[i :: len(keys)] for i in range(len(keys))]
    threads = [threading.Thread(target=_client, args=(port, k["api_key"], share, load, lock, path))
               for k, share in zip(keys, shares, strict=True)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load.seconds = time.perf_counter() - started
    return load


def bare_select(scratch: str, n: int) -> list[float]:
    """A customer by tax id through psycopg: the database's own floor for one indexed read."""
    out = []
    with _admin_connect(scratch) as conn:
        for k in range(n):
            started = time.perf_counter()
            conn.execute("SELECT id FROM customers_customer WHERE tax_id = %s", [f"{1 + k:08d}000100"]).fetchone()
            out.append(time.perf_counter() - started)
    return out


def figures(latencies: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(latencies, 50) * 1000, 2), "p99_ms": round(percentile(latencies, 99) * 1000, 2),
            "max_ms": round(max(latencies, default=0.0) * 1000, 2)}


def measure(url: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    size = Size(args.customers, args.registrations, args.opportunities, max(args.partners, args.clients),
                args.requests)
    with scratch_postgres(url) as scratch:
        env = app_env(var_dir=tmp, database_url=scratch)
        keys, setup_s = seed(env, scratch, size, args.clients)
        log(f"setup done in {setup_s:.0f}s; collecting the static files before the server starts")
        run([PARCERIA, "shell", "-c", "import sys; from parceria.site.staticfiles import collect_if_changed; "
                                      "collect_if_changed(sys.stdout)"], env, timeout=900)
        with serve(env, workers=args.workers, log_path=tmp / "server.log") as server:
            run_load(server.port, keys, plans(size, args.warm_up, 1_000_000))
            healthz = run_load(server.port, keys, [Plan(b"", "")] * max(500, args.requests // 2), "/healthz")
            load = run_load(server.port, keys, plans(size, args.requests, 0))
        bare = bare_select(scratch, 1000)
    result = figures(load.latencies)
    log(f"{len(load.latencies):,} registrations in {load.seconds:.1f}s: p50 {result['p50_ms']} ms, p99 "
        f"{result['p99_ms']} ms; /healthz p99 {figures(healthz.latencies)['p99_ms']} ms; {len(load.errors)} errors")
    return {
        "bench": "deal_conflicts", "db": "postgresql", "endpoint": f"POST {PATH}", "customers": size.customers,
        "active_registrations": size.registrations, "open_opportunities": size.opportunities,
        "partners": size.partners, "clients": args.clients, "workers": args.workers,
        "requests": len(load.latencies), "seconds": round(load.seconds, 2),
        "requests_per_s": round(len(load.latencies) / load.seconds, 1), **result,
        "outcomes": load.statuses, "errors": len(load.errors), "error_samples": load.errors[:3],
        "target_p99_ms": TARGET_P99_MS, "target_met": result["p99_ms"] < TARGET_P99_MS,
        "baseline_healthz": {**figures(healthz.latencies), "errors": len(healthz.errors)},
        "baseline_bare_indexed_select": figures(bare),
        "setup_s": round(setup_s, 1),
    }


def bench(url: str, args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix="parceria-bench-deals-") as tmp:
        record = measure(url, args, Path(tmp))
    emit(record)
    if record["errors"]:
        log(f"PROBLEM: {record['errors']} errors, e.g. {record['error_samples']}")
    return not record["errors"]


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: server stopped, scratch database dropped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return run_on_postgres("deal_conflicts", bench, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

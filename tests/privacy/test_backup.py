"""`parceria backup` and `parceria restore` (privacy/backup.py, docs/backup.md): the round trip gives back identical
row counts and sums to the cent, on SQLite and (scripts/with-postgres.sh) on PostgreSQL; a damaged, incomplete or
foreign backup is refused before anything is overwritten."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from parceria.common.models import AuditRecord
from parceria.partners.models import Partner
from parceria.partners.services import PartnerChanges, partner_update
from parceria.privacy import backup as backups
from parceria.privacy.backup import (
    BackupError,
    BackupSet,
    Figures,
    backup_read,
    backup_verify,
    figure_differences,
    live_figures,
)
from tests.factories import ACTOR, credit, make_customer, make_partner, make_payout

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _seed(media: Path) -> Partner:
    """A partner with a customer, two ledger lines (100.25 and 49.5), a payout of 149.75 gross, 128.14 net
    (21.61 withheld) and a stored file."""
    partner = make_partner(name="Acme Parceira")
    make_customer(partner)
    credit(partner, "100.25", note="first")
    credit(partner, "49.5", note="second")
    make_payout(partner, date(2026, 3, 1), "149.75", payment_date=date(2026, 4, 10), withheld={"IRRF": "21.61"})
    (media / "disputes").mkdir(parents=True)
    (media / "disputes" / "receipt.pdf").write_bytes(b"%PDF-1.4 the receipt")
    return partner


def _backup(tmp_path: Path) -> tuple[BackupSet, str]:
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups"), stdout=out)
    (folder,) = (tmp_path / "backups").iterdir()
    return backup_read(folder), out.getvalue()


def _media_files(media: Path) -> dict[str, bytes]:
    return {p.relative_to(media).as_posix(): p.read_bytes() for p in sorted(media.rglob("*")) if p.is_file()}


def _rewrite_manifest(backup: BackupSet, **changes: object) -> None:
    manifest = dict(backup.manifest, **changes)
    (backup.path / "manifest.json").write_text(json.dumps(manifest))


def _rehash(backup: BackupSet, name: str) -> None:
    files = dict(backup.manifest["files"], **{name: backups._sha256(backup.path / name)})
    _rewrite_manifest(backup, files=files)


@transactional
def test_backup_then_restore_gives_back_identical_counts_sums_and_files(tmp_path, media_root):
    partner = _seed(media_root)
    before = live_figures()

    backup, out = _backup(tmp_path)

    manifest = backup.manifest
    assert backup.path.name.startswith("parceria-backup-")
    assert backup.path.name.endswith("Z")
    assert f"Backup written to {backup.path}" in out
    assert manifest["format"] == "parceria-backup"
    assert manifest["format_version"] == 1
    assert manifest["vendor"] == connection.vendor
    assert manifest["migrations"]["privacy"] == "0001_consents_requests_sharing_holds"
    assert manifest["media_files"] == 1
    assert sorted(manifest["files"]) == sorted(
        ["database.sqlite3" if connection.vendor == "sqlite" else "database.dump", "media.tar.gz"]
    )
    # The manifest describes the database as it was when the backup was taken, to the cent.
    assert Figures(rows=manifest["rows"], sums=manifest["sums"]) == before
    assert manifest["rows"]["partners_partner"] == 1
    assert manifest["rows"]["commissions_ledgerline"] == 2
    assert manifest["sums"]["commissions_ledgerline"]["amount"] == "149.7500"
    assert manifest["sums"]["payouts_payout"] == {"gross": "149.7500", "net": "128.1400", "reimbursement": "0.0000",
                                                  "paid_from_amount": "0.0000", "fx_rate": "0.0000000000"}
    assert manifest["sums"]["payouts_payoutwithholding"]["amount"] == "21.6100"
    assert "Σ commissions_ledgerline.amount = 149.7500" in out
    # The backup itself is audited (after the copy: the set does not hold its own record).
    record = AuditRecord.objects.latest("pk")
    assert (record.action, record.object_type, record.object_id) == (
        "backup.created",
        "privacy.backup",
        backup.path.name,
    )

    # Everything changes after the backup: more money, a renamed partner, a new one, the files.
    credit(partner, "1000.01", note="after the backup")
    partner_update(partner=partner, changes=PartnerChanges(name="Renamed"), actor=ACTOR)
    make_partner(name="Newcomer")
    (media_root / "disputes" / "receipt.pdf").unlink()
    (media_root / "later.txt").write_text("made after the backup")
    with connection.cursor() as cursor:  # as a later migration would
        cursor.execute("CREATE TABLE later_feature (id integer PRIMARY KEY)")
    assert live_figures() != before

    out = io.StringIO()
    call_command("restore", str(backup.path), yes=True, stdout=out)

    assert "every row count and sum matches the manifest" in out.getvalue()
    after = live_figures()
    # Identical, but for the one audit record of the restore itself.
    assert after.rows["common_auditrecord"] == before.rows["common_auditrecord"] + 1
    assert figure_differences(before, after) == [
        f"common_auditrecord: {before.rows['common_auditrecord']} rows in the backup, "
        f"{before.rows['common_auditrecord'] + 1} restored"
    ]
    assert after.sums == before.sums
    assert "later_feature" not in after.rows
    assert after.sums["commissions_ledgerline"]["amount"] == "149.7500"
    assert list(Partner.objects.values_list("name", flat=True)) == ["Acme Parceira"]
    assert _media_files(media_root) == {"disputes/receipt.pdf": b"%PDF-1.4 the receipt"}
    record = AuditRecord.objects.latest("pk")
    assert (record.action, record.actor_label, record.object_id) == (
        "backup.restored",
        "command:restore",
        backup.path.name,
    )
    assert record.after["created_at"] == manifest["created_at"]


@transactional
def test_verify_restores_into_a_scratch_database_and_finds_a_difference(tmp_path, media_root):
    _seed(media_root)
    out = io.StringIO()
    call_command("backup", output=str(tmp_path), verify=True, stdout=out)
    assert "Verified: restored into a scratch database" in out.getvalue()

    (folder,) = tmp_path.iterdir()
    backup = backup_read(folder)
    assert backup_verify(backup) == []
    wrong = BackupSet(
        path=backup.path,
        manifest=dict(
            backup.manifest,
            rows=dict(backup.manifest["rows"], partners_partner=7),
            sums=dict(backup.manifest["sums"], payouts_payout={
                "gross": "149.75", "net": "128.1400", "fx_rate": "0.0000000000", "paid_from_amount": "0.0000"}),
        ),
    )
    assert backup_verify(wrong) == [
        "partners_partner: 7 rows in the backup, 1 restored",
        "payouts_payout.gross: sum 149.75 in the backup, 149.7500 restored",
        "payouts_payout.reimbursement: sum no in the backup, 0.0000 restored",
    ]
    if connection.vendor == "postgresql":  # the scratch database is gone
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", ["%\\_verify\\_%"])
            assert cursor.fetchone()[0] == 0


@transactional
def test_backup_verify_that_finds_a_difference_exits_non_zero_and_names_it(tmp_path, media_root, monkeypatch):
    monkeypatch.setattr(
        "parceria.privacy.management.commands.backup.backup_verify",
        lambda backup: ["partners_partner: 2 rows in the backup, 1 restored"],
    )
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"does not restore to what it recorded: 1 difference\(s\)"):
        call_command("backup", output=str(tmp_path), verify=True, stdout=out)

    assert "  differs: partners_partner: 2 rows in the backup, 1 restored" in out.getvalue()


def _break_byte(backup: BackupSet) -> None:
    path = backup.path / backup.manifest["database_file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(backup: BackupSet) -> None:
    path = backup.path / backup.manifest["database_file"]
    path.write_bytes(path.read_bytes()[:4096])


def _lose_media(backup: BackupSet) -> None:
    (backup.path / "media.tar.gz").unlink()


def _lose_manifest(backup: BackupSet) -> None:
    (backup.path / "manifest.json").unlink()


def _foreign_format(backup: BackupSet) -> None:
    (backup.path / "manifest.json").write_text(json.dumps({"format": "other-tool", "files": {}}))


def _unreadable_manifest(backup: BackupSet) -> None:
    (backup.path / "manifest.json").write_text('{"format": "parceria-backup", ')


def _newer_installation(backup: BackupSet) -> None:
    _rewrite_manifest(backup, migrations=dict(backup.manifest["migrations"], partners="0999_from_the_future"))


def _other_app(backup: BackupSet) -> None:
    _rewrite_manifest(backup, migrations=dict(backup.manifest["migrations"], billing="0001_initial"))


def _newer_format(backup: BackupSet) -> None:
    _rewrite_manifest(backup, format_version=2)


def _other_vendor(backup: BackupSet) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    name = backups.DATABASE_FILES[other]
    old = backup.manifest["database_file"]
    (backup.path / old).rename(backup.path / name)
    files = {name if k == old else k: v for k, v in backup.manifest["files"].items()}
    _rewrite_manifest(backup, vendor=other, database_file=name, files=files)


def _garbage_database(backup: BackupSet) -> None:
    """A database file that is not one, with a manifest that vouches for it."""
    (backup.path / backup.manifest["database_file"]).write_bytes(b"not a database " * 500)
    _rehash(backup, backup.manifest["database_file"])


def _escaping_media(backup: BackupSet) -> None:
    """A media archive that would write outside the media folder, with a manifest that vouches for it."""
    path = backup.path / "media.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        data = b"owned"
        info = tarfile.TarInfo("media/../../escaped.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    _rehash(backup, "media.tar.gz")


def _path_in_manifest(backup: BackupSet) -> None:
    _rewrite_manifest(backup, files=dict(backup.manifest["files"], **{"../../etc/passwd": "0" * 64}))


#: What a database file that does not read is refused with, per vendor.
UNREADABLE = {
    "sqlite": "database.sqlite3 is not a readable SQLite database",
    "postgresql": "Reading database.dump (pg_restore --list) failed",
}

REFUSALS = [
    (_break_byte, "does not match its SHA-256 in the manifest"),
    (_truncate, "does not match its SHA-256 in the manifest"),
    (_lose_media, "media.tar.gz is missing from the backup set"),
    (_lose_manifest, "has no manifest.json: not a Parceria backup set"),
    (_foreign_format, "is not the manifest of a Parceria backup set"),
    (_unreadable_manifest, "is not readable JSON"),
    (_newer_format, "The backup's format version is 2; this version of Parceria reads version 1."),
    (_newer_installation, "this code does not know its migrations partners.0999_from_the_future"),
    (_other_app, "this code does not know its migrations billing.0001_initial"),
    (_other_vendor, "Restore it into an installation of the same kind."),
    (_garbage_database, None),
    (_escaping_media, "holds a member outside media/: 'media/../../escaped.txt'"),
    (_path_in_manifest, "The manifest is damaged: the file name '../../etc/passwd'"),
]


#: One good set for the refusal tests, each of which damages a copy of it (a pg_dump takes seconds).
_PRISTINE: list[Path] = []


def _good_copy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> BackupSet:
    if not _PRISTINE:
        _PRISTINE.append(_backup(tmp_path_factory.mktemp("pristine"))[0].path)
    copy = tmp_path / "set"
    shutil.copytree(_PRISTINE[0], copy)
    return backup_read(copy)


@transactional
@pytest.mark.parametrize(("damage", "message"), REFUSALS, ids=[d.__name__.strip("_") for d, _ in REFUSALS])
def test_a_damaged_incomplete_or_foreign_backup_is_refused_and_nothing_is_overwritten(
    tmp_path, tmp_path_factory, media_root, damage, message
):
    _seed(media_root)
    backup = _good_copy(tmp_path, tmp_path_factory)
    make_partner(name="Made after the backup")
    (media_root / "later.txt").write_text("made after the backup")
    live, files = live_figures(), _media_files(media_root)
    audited = AuditRecord.objects.count()

    damage(backup)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(backup.path), yes=True, stdout=io.StringIO())

    assert str(refused.value).startswith("Refused, nothing was changed: ")
    assert (message or UNREADABLE[connection.vendor]) in str(refused.value)
    assert live_figures() == live
    assert _media_files(media_root) == files
    assert Partner.objects.filter(name="Made after the backup").count() == 1
    assert AuditRecord.objects.count() == audited
    assert not (tmp_path / "escaped.txt").exists()


@transactional
def test_restore_without_yes_refuses_when_not_on_a_terminal(tmp_path, media_root, monkeypatch):
    _seed(media_root)
    backup, _ = _backup(tmp_path)
    make_partner(name="Made after the backup")
    live = live_figures()
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))

    with pytest.raises(CommandError, match="not a terminal; pass --yes"):
        call_command("restore", str(backup.path), stdout=io.StringIO())

    assert live_figures() == live


@transactional
def test_restore_asks_on_a_terminal_and_anything_but_yes_keeps_the_database(tmp_path, media_root, monkeypatch):
    _seed(media_root)
    backup, _ = _backup(tmp_path)
    make_partner(name="Made after the backup")
    live = live_figures()

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("no\n"))
    with pytest.raises(CommandError, match="Not restored, nothing was changed"):
        call_command("restore", str(backup.path), stdout=io.StringIO())
    assert live_figures() == live

    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    call_command("restore", str(backup.path), stdout=io.StringIO())
    assert Partner.objects.filter(name="Made after the backup").count() == 0


@transactional
def test_without_pg_dump_a_postgresql_backup_is_a_clear_error_and_writes_nothing(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (scripts/with-postgres.sh)")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with pytest.raises(CommandError, match="No backup written: pg_dump is not on PATH"):
        call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())

    assert not (tmp_path / "backups").exists()


def test_figures_sum_decimals_exactly_as_django_reads_them():
    assert backups._exact(0.1, 4) == Decimal("0.1000")
    assert backups._exact(149.75, 4) == Decimal("149.7500")
    assert backups._exact(Decimal("21.61"), 4) == Decimal("21.6100")
    assert backups._exact(3, 2) == Decimal("3.00")
    # A sum of many REAL values is the sum of what Django reads, not SQLite's float sum.
    assert sum((backups._exact(0.1, 2) for _ in range(10)), Decimal(0)) == Decimal("1.00")


def test_a_missing_backup_folder_is_refused():
    with pytest.raises(BackupError, match="is not a backup folder"):
        backup_read(Path("/nonexistent/parceria-backup-x"))

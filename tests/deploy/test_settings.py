"""The settings for several machines: PgBouncer and S3-compatible media, chosen by setting."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from storages.backends.s3 import S3Storage

from hubdelivery.settings.base import database_config, media_storage


@pytest.fixture
def postgres_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://portal:secret@pgbouncer:6432/hubdelivery")


def test_behind_pgbouncer_server_side_cursors_are_off_and_connections_age_as_set(postgres_url):
    # when the database is reached through PgBouncer in transaction mode
    config = database_config(pooler="pgbouncer", conn_max_age=60)
    # then no cursor outlives its transaction, and connections live as long as set
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True
    assert (config["HOST"], config["PORT"]) == ("pgbouncer", 6432)


def test_without_a_pooler_server_side_cursors_stay_on(postgres_url):
    config = database_config(pooler="", conn_max_age=600)
    assert config.get("DISABLE_SERVER_SIDE_CURSORS", False) is False
    assert config["CONN_MAX_AGE"] == 600


def test_on_sqlite_every_transaction_takes_the_write_lock_at_begin_and_waits_for_it(
    monkeypatch, tmp_path
):
    # given the embedded database (`make run`): a file, served by runserver's threads
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    # when
    config = database_config(pooler="", conn_max_age=600)
    # then two writers queue at BEGIN instead of one failing "database is locked" mid-way
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] == 20


def test_postgresql_gets_no_sqlite_options(postgres_url):
    assert "transaction_mode" not in database_config(pooler="", conn_max_age=600).get("OPTIONS", {})


def test_an_unknown_pooler_is_refused_by_name(postgres_url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_POOLER"):
        database_config(pooler="pgpool", conn_max_age=600)


def test_media_stays_on_the_filesystem_by_default():
    assert media_storage("") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_an_unknown_media_storage_is_refused_by_name():
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE"):
        media_storage("ftp")


def test_s3_media_needs_a_bucket(monkeypatch):
    monkeypatch.delenv("MEDIA_S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MEDIA_S3_BUCKET"):
        media_storage("s3")


def test_s3_media_is_private_with_signed_expiring_urls(monkeypatch):
    # given an S3-compatible bucket named by the environment
    monkeypatch.setenv("MEDIA_S3_BUCKET", "hub-media")
    monkeypatch.setenv("MEDIA_S3_ENDPOINT_URL", "https://objects.example.com")
    monkeypatch.setenv("MEDIA_S3_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    config = media_storage("s3")
    # when django-storages builds the storage from it
    storage = S3Storage(**config["OPTIONS"])
    # then uploads carry no ACL (the bucket's private default applies) and are never replaced
    assert storage.default_acl is None
    assert "ACL" not in storage.get_object_parameters("proofs/door.jpg")
    assert storage.file_overwrite is False
    # and a URL to a proof photo is signed and expires (made offline: no request is sent)
    url = storage.url("proofs/door.jpg")
    assert url.startswith("https://objects.example.com/hub-media/proofs/door.jpg?")
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=300" in url

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from storage.crypto import Cipher, load_cipher


def test_json_survives_a_round_trip_and_is_not_readable(cipher: Cipher) -> None:
    token = cipher.encrypt_json({"name": "Joana", "answers": [1, "sì"]})
    assert "Joana" not in token
    assert cipher.decrypt_json(token) == {"name": "Joana", "answers": [1, "sì"]}


def test_another_key_cannot_read_it(cipher: Cipher) -> None:
    other = Cipher.from_key(Fernet.generate_key().decode())
    with pytest.raises(InvalidToken):
        other.decrypt_json(cipher.encrypt_json({"a": 1}))


def test_configured_secret_key_is_used(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    token = load_cipher(key, tmp_path / "secret.key").encrypt_json("x")
    assert Cipher.from_key(key).decrypt_json(token) == "x"
    assert not (tmp_path / "secret.key").exists()


def test_without_a_secret_key_a_private_key_file_is_made_once(tmp_path: Path) -> None:
    key_file = tmp_path / "data" / "secret.key"
    token = load_cipher(None, key_file).encrypt_json("x")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_cipher(None, key_file).decrypt_json(token) == "x"
    assert [path.name for path in key_file.parent.iterdir()] == ["secret.key"]

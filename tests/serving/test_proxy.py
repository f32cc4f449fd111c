"""nginx's configuration for a class on several processes (charlm.serving.proxy): the text a
pure function builds, checked as text and by nginx itself (`nginx -t`) where nginx is installed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from charlm import cli
from charlm.serving import proxy


def plan(tmp_path: Path, **changes) -> proxy.ProxyPlan:
    fields = {"run_dir": tmp_path, "port": 8501, "backend_ports": (40001, 40002)}
    return proxy.ProxyPlan(**{**fields, "upload_limit_mb": 10, **changes})


def test_the_config_hashes_every_request_by_the_browsers_own_cookie(tmp_path):
    text = proxy.nginx_config(plan(tmp_path))
    assert "hash $charlm_sticky_key consistent;" in text and "ip_hash" not in text
    assert "server 127.0.0.1:40001;" in text and "server 127.0.0.1:40002;" in text
    # A browser without a well-formed cookie gets the random key it was hashed by as its cookie.
    assert '"~^[0-9a-f]{32}$" $cookie_charlm_backend;' in text and "default $request_id;" in text
    assert 'default "charlm_backend=$request_id; Path=/; HttpOnly; SameSite=Lax";' in text
    assert "add_header Set-Cookie $charlm_set_cookie always;" in text


def test_the_config_passes_websockets_and_caps_uploads_as_streamlit_does(tmp_path):
    text = proxy.nginx_config(plan(tmp_path, upload_limit_mb=10))
    for line in (
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $charlm_connection;",
        "proxy_set_header Host $http_host;",
        "proxy_read_timeout 1d;",
        "proxy_next_upstream off;",  # never another process for this browser, even briefly
        "client_max_body_size 11m;",  # 10 MB and the 1 MB of framing Streamlit also allows
        "listen 8501;",
    ):
        assert line in text
    assert "listen [::1]:9000;" in proxy.nginx_config(plan(tmp_path, address="::1", port=9000))


def test_every_file_nginx_writes_is_inside_the_run_folder(tmp_path):
    text = proxy.nginx_config(plan(tmp_path))
    for directive in ("pid", "error_log", "access_log", "client_body_temp_path", "proxy_temp_path"):
        line = next(line for line in text.splitlines() if line.strip().startswith(directive + " "))
        assert str(tmp_path.resolve()) in line
    command = proxy.nginx_command("nginx", tmp_path)
    assert command[1:3] == ["-e", str(tmp_path.resolve() / proxy.ERROR_LOG)]
    assert "daemon off;" in text


def test_nginx_itself_accepts_the_config(tmp_path):
    try:
        nginx = proxy.find_nginx()
    except proxy.NginxMissingError:
        pytest.skip("nginx is not installed (.ci/run installs it)")
    proxy.write_config(plan(tmp_path))
    checked = subprocess.run(
        proxy.nginx_command(nginx, tmp_path, test_only=True), capture_output=True
    )
    assert checked.returncode == 0, checked.stderr.decode()


@pytest.mark.parametrize(
    "config, environ, expected",
    [
        ("[server]\nmaxUploadSize = 10\n", {}, 10),
        ("[client]\nmaxUploadSize = 3\n[server]\n# maxUploadSize = 5\nport = 1\n", {}, 200),
        ("[server]\nmaxUploadSize=25  # MB\n", {}, 25),
        ("[server]\nmaxUploadSize = 10\n", {"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "40"}, 40),
    ],
)
def test_the_upload_limit_is_the_one_streamlit_reads(config, environ, expected):
    assert proxy.upload_limit_mb(config, environ) == expected


def test_the_projects_own_streamlit_config_gives_10_mb():
    config = (Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text()
    assert proxy.upload_limit_mb(config, {}) == 10


def test_one_process_per_core_by_default_at_most_eight():
    assert [proxy.default_process_count(n) for n in (1, 2, 8, 64)] == [1, 2, 8, 8]
    assert proxy.default_process_count() >= 1


@pytest.mark.parametrize("address", ["0.0.0.0; include /etc/passwd", "localhost", "-p", ""])
def test_only_an_ip_address_reaches_the_config(address):
    with pytest.raises(ValueError, match="expected an IP address"):
        proxy.check_address(address)


@pytest.mark.parametrize(
    "argv, said",
    [
        (["--port=-1"], "between 1 and 65535"),
        (["--port", "http"], "expected a port"),
        (["--processes=0"], "between 1 and 64"),
        (["--processes", "--port"], "expected one argument"),
        (["--address=1.2.3.4;"], "expected an IP address"),
    ],
)
def test_bad_values_are_one_line_and_exit_2(argv, said, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["serve", *argv])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1


def test_without_nginx_the_command_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setattr(proxy.shutil, "which", lambda *args, **kwargs: None)
    assert cli.main(["serve", "--processes", "1", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "nginx is not installed" in err and "apt-get install nginx" in err
    assert "Traceback" not in err

"""The front door of a class served by several Streamlit processes: nginx's configuration, sticky
by browser, as plain text from pure functions (charlm.serving.server_group runs it).

Why a cookie of nginx's own: a class is often one NAT address, so `ip_hash` would put everyone
on one process; and Streamlit's `_streamlit_xsrf` cookie cannot key the hash, because the index
page does not set it and every `/_stcore/health` answer sets it again under a new random mask
(Streamlit 1.67: same token, another value), so one browser's requests would scatter. nginx
instead gives a browser without a valid `charlm_backend` cookie a random one ($request_id) on its
first answer and hashes that same value, so the first page, the websocket, uploads and media of
one browser all reach one process from the first request on.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

STICKY_COOKIE = "charlm_backend"
STREAMLIT_DEFAULT_UPLOAD_MB = 200  # Streamlit's own server.maxUploadSize when nothing sets it
UPLOAD_FRAMING_MB = 1  # multipart framing around the file; Streamlit allows the same 1 MB
MAX_PROCESSES = 8  # each process holds 225-340 MB (README); more than 8 rarely fits one machine
ACCESS_LOG = "access.log"
ERROR_LOG = "error.log"
CONFIG_FILE = "nginx.conf"
INSTALL_HINT = (
    "nginx is not installed; `charlm serve` runs it as the front door of the class. "
    "Install it with `sudo apt-get install nginx` (Debian, Ubuntu), `brew install nginx` (macOS) "
    "or your system's package manager; or serve one process with `make run`."
)


class NginxMissingError(RuntimeError):
    """No nginx on PATH (or in /usr/sbin); the message says how to install it."""


@dataclass(frozen=True)
class ProxyPlan:
    """What nginx needs: its folder (config, pid, logs, temp files), where it listens and the
    ports of the Streamlit processes behind it (all on 127.0.0.1)."""

    run_dir: Path
    port: int
    backend_ports: tuple[int, ...]
    upload_limit_mb: int
    address: str | None = None  # None: every IPv4 interface, as `streamlit run` does


def default_process_count(cores: int | None = None) -> int:
    """One process per core this process may run on, at most MAX_PROCESSES."""
    if cores is None:
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PROCESSES))


def check_address(address: str) -> str:
    """An IP address to listen on, as nginx's `listen` writes it; raises ValueError otherwise
    (only an address, so nothing else can reach the config)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(
            f"expected an IP address such as 0.0.0.0 or ::1 (got {address!r})"
        ) from None
    return f"[{parsed}]" if parsed.version == 6 else str(parsed)


def listen_target(address: str | None, port: int) -> str:
    if not 1 <= port <= 65535:
        raise ValueError(f"port must be between 1 and 65535 (got {port})")
    return str(port) if address is None else f"{check_address(address)}:{port}"


def upload_limit_mb(config_text: str, environ: dict | None = None) -> int:
    """Streamlit's server.maxUploadSize in MB, as the processes will read it: the environment's
    STREAMLIT_SERVER_MAX_UPLOAD_SIZE, else `maxUploadSize` in the [server] section of
    .streamlit/config.toml (`config_text`), else Streamlit's default."""
    from_env = (environ if environ is not None else os.environ).get(
        "STREAMLIT_SERVER_MAX_UPLOAD_SIZE", ""
    )
    if from_env.strip().isdigit():
        return int(from_env)
    section = None
    for line in config_text.splitlines():
        stripped = line.split("#", 1)[0].strip()
        if stripped.startswith("["):
            section = stripped.strip("[] ")
        elif section == "server":
            found = re.fullmatch(r"maxUploadSize\s*=\s*(\d+)", stripped)
            if found:
                return int(found[1])
    return STREAMLIT_DEFAULT_UPLOAD_MB


def find_nginx() -> str:
    """nginx's path; raises NginxMissingError with how to install it."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise NginxMissingError(INSTALL_HINT)
    return found


def nginx_command(nginx: str, run_dir: Path, test_only: bool = False) -> list[str]:
    """nginx in the foreground with everything in run_dir: -e sends even its start-up errors
    there, so it never touches /etc/nginx or /var/log/nginx."""
    run_dir = Path(run_dir).resolve()
    command = [nginx, "-e", str(run_dir / ERROR_LOG), "-p", f"{run_dir}/"]
    command += ["-c", str(run_dir / CONFIG_FILE)]
    return [*command, "-t", "-q"] if test_only else command


def nginx_config(plan: ProxyPlan) -> str:
    """nginx.conf for `plan`: sticky by the charlm_backend cookie, websockets passed through,
    uploads capped at Streamlit's limit plus its framing, no temp files (see the comments)."""
    run_dir = Path(plan.run_dir).resolve()
    if not plan.backend_ports:
        raise ValueError("at least one Streamlit process is needed behind nginx")
    servers = "\n".join(f"        server 127.0.0.1:{port};" for port in plan.backend_ports)
    set_cookie = f"{STICKY_COOKIE}=$request_id; Path=/; HttpOnly; SameSite=Lax"
    temp = run_dir / "temp"
    return f"""\
# Written by `python -m charlm serve` for this run only; read with -p {run_dir}/.
daemon off;
master_process on;
worker_processes 1;  # a class's traffic is light for nginx: the Python processes do the work
worker_rlimit_nofile 8192;
pid {run_dir}/nginx.pid;
error_log {run_dir}/{ERROR_LOG} warn;

events {{
    worker_connections 4096;  # two per websocket (browser side, process side)
}}

http {{
    client_body_temp_path {temp}/client_body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server_tokens off;

    # The browser's key: its charlm_backend cookie when it has a well-formed one, else a new
    # random one, which the same answer sets as its cookie ($request_id is fixed per request).
    map $cookie_{STICKY_COOKIE} $charlm_sticky_key {{
        "~^[0-9a-f]{{32}}$" $cookie_{STICKY_COOKIE};
        default $request_id;
    }}
    map $cookie_{STICKY_COOKIE} $charlm_set_cookie {{
        "~^[0-9a-f]{{32}}$" "";
        default "{set_cookie}";
    }}
    map $http_upgrade $charlm_connection {{
        default upgrade;
        "" "";  # plain requests keep the connection to the process alive
    }}
    log_format charlm '$time_iso8601 key=$charlm_sticky_key upstream=$upstream_addr '
                      'status=$status "$request"';
    access_log {run_dir}/{ACCESS_LOG} charlm;

    upstream charlm_streamlit {{
        hash $charlm_sticky_key consistent;
{servers}
        keepalive 16;
        keepalive_timeout 4s;  # under uvicorn's 5 s, so nginx never reuses one it has closed
    }}

    server {{
        listen {listen_target(plan.address, plan.port)};
        # Streamlit's maxUploadSize plus the multipart framing it also allows.
        client_max_body_size {plan.upload_limit_mb + UPLOAD_FRAMING_MB}m;

        location / {{
            proxy_pass http://charlm_streamlit;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;  # Streamlit checks the websocket's Origin against it
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $charlm_connection;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1d;  # a page left open for a lesson keeps its websocket
            # A browser whose process is restarting waits for it (Streamlit's page reconnects)
            # rather than moving to another process: its uploads and media would stay behind.
            proxy_next_upstream off;
            proxy_send_timeout 1d;
            # No temp files: uploads stream to the process (which enforces its own limit) and
            # answers stay in memory, so workers that run as another user need no folder.
            proxy_request_buffering off;
            proxy_max_temp_file_size 0;
            add_header Set-Cookie $charlm_set_cookie always;  # an empty value adds nothing
        }}
    }}
}}
"""


def write_config(plan: ProxyPlan) -> Path:
    """Write nginx.conf (and the temp folder it names) into plan.run_dir; returns its path."""
    run_dir = Path(plan.run_dir)
    (run_dir / "temp").mkdir(parents=True, exist_ok=True)
    path = run_dir / CONFIG_FILE
    path.write_text(nginx_config(plan), encoding="utf-8")
    return path

"""Runs what a generated project's README, CI workflow and Dockerfile say, as written.

    python tests/e2e/run_docs.py readme PROJECT_DIR
    python tests/e2e/run_docs.py ci PROJECT_DIR PG_ADMIN_URL
    python tests/e2e/run_docs.py docker PROJECT_DIR

Each works in a copy of PROJECT_DIR, with the Python version the project
names (`requires-python`) leading PATH, and prints one line per step.

readme  Every ```sh block of README.md, in order, each in its own
        `bash -eo pipefail`. A ```sh server block runs in the background
        until GET http://127.0.0.1:8000/health answers 200, then is stopped.
        A ```sh docker block is skipped (no Docker engine here) and said so.
ci      The workflow's job, its steps in order, with the job's and the
        step's env. `actions/setup-python` becomes a fresh venv of the
        requested version; `actions/checkout` is the copy itself; a `run:`
        step runs with `bash -eo pipefail` (or `python` for `shell: python`).
        The postgres service becomes the throwaway cluster at PG_ADMIN_URL:
        its POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB are created
        there, and `localhost:5432` in env and scripts points at it.
docker  The Dockerfile's builder stage: a fresh venv of the image's Python,
        the files its COPY lines name, then each RUN line, as written.

Exits non-zero at the first failure, with the step's output.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import yaml


def interpreter(version: str) -> str:
    """A `pythonX.Y` for the version: on PATH or under pyenv."""
    name = f"python{version}"
    candidates = [shutil.which(name) or ""]
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in root.glob(f"versions/{version}.*/bin/{name}"))
    for c in candidates:
        if c and subprocess.run([c, "-c", f"import sys; assert sys.version_info[:2] == {tuple(map(int, version.split('.')))}"],
                                capture_output=True).returncode == 0:
            return c
    raise SystemExit(f"SKIP: no Python {version} on this machine")


def project_python(project: Path) -> str:
    spec = tomllib.loads((project / "pyproject.toml").read_text())["project"]["requires-python"]
    m = re.fullmatch(r">=\s*(\d+\.\d+)", spec.strip())
    if not m:
        raise SystemExit(f"requires-python {spec!r} is not of the form >=X.Y")
    return m.group(1)


def clean_env(python: str) -> dict[str, str]:
    """A plain shell's environment, with the project's Python first on PATH."""
    env = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "LC_ALL", "TMPDIR", "PIP_CACHE_DIR",
                                                        "PIP_FIND_LINKS", "PIP_CERT", "PIP_DEFAULT_TIMEOUT")}
    env["PATH"] = f"{Path(python).parent}:/usr/local/bin:/usr/bin:/bin"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def step(title: str, cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> None:
    t0 = time.monotonic()
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    took = time.monotonic() - t0
    if r.returncode != 0:
        out = (r.stdout + r.stderr)[-4000:]
        raise SystemExit(f"FAILED: {title} (exit {r.returncode}, {took:.1f} s)\n{out}")
    print(f"ok: {title} ({took:.1f} s)", flush=True)


def blocks(markdown: str) -> list[tuple[list[str], str]]:
    """The fenced code blocks: (info words, body)."""
    out = []
    for m in re.finditer(r"^```([^\n`]*)\n(.*?)^```\s*$", markdown, flags=re.M | re.S):
        out.append((m.group(1).split(), m.group(2)))
    return out


def serve(title: str, body: str, cwd: Path, env: dict[str, str]) -> None:
    """Runs a server block until the application answers GET /health, then stops it."""
    proc = subprocess.Popen(["bash", "-eo", "pipefail", "-c", body], cwd=cwd, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"FAILED: {title}: it ended (exit {proc.returncode})\n{proc.stdout.read()[-4000:]}")
            try:
                with urllib.request.urlopen("http://127.0.0.1:8000/health", timeout=2) as r:
                    if r.status == 200:
                        print(f"ok: {title} (GET /health answered 200)", flush=True)
                        return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"FAILED: {title}: no answer from GET /health within 60 s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def readme(project: Path) -> None:
    """The blocks run as in one terminal: what a block sets (an activated venv,
    a variable) is there for the next."""
    python = interpreter(project_python(project))
    env = clean_env(python)
    state = project.parent / "readme-shell-state"
    for i, (info, body) in enumerate(blocks((project / "README.md").read_text())):
        if not info or info[0] not in ("sh", "bash", "shell"):
            continue
        first = body.strip().splitlines()[0] if body.strip() else ""
        title = f"README block {i + 1}: {first[:70]}"
        script = (
            f'if [ -f "{state}" ]; then . "{state}"; fi\nset -a\n{body}\nset +a\n'
            f"export -p | grep -v '^declare -[a-zA-Z]*r' > \"{state}\"\n"
        )
        if "docker" in info[1:]:
            print(f"skipped: {title} (a Docker engine cannot run here)", flush=True)
        elif "server" in info[1:]:
            serve(title, f'if [ -f "{state}" ]; then . "{state}"; fi\n{body}', project, env)
        else:
            step(title, ["bash", "-eo", "pipefail", "-c", script], project, env)


def ci(project: Path, pg_admin_url: str) -> None:
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    (name, job), = workflow["jobs"].items()
    pg = urlsplit(pg_admin_url.replace("postgresql+psycopg://", "postgresql://"))
    local = f"127.0.0.1:{pg.port}"

    def local_text(text: str) -> str:
        return text.replace("localhost:5432", local)

    for service in job.get("services", {}).values():
        if not str(service.get("image", "")).startswith("postgres"):
            raise SystemExit(f"FAILED: the workflow's service {service.get('image')} has no local stand-in")
        s_env = service.get("env", {})
        user, password, db = s_env["POSTGRES_USER"], s_env["POSTGRES_PASSWORD"], s_env["POSTGRES_DB"]
        import psycopg

        with psycopg.connect(pg_admin_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as c:
            for d in (db, f"{db}_test"):
                c.execute(f'DROP DATABASE IF EXISTS "{d}" WITH (FORCE)')
            c.execute(f'DROP ROLE IF EXISTS "{user}"')
            c.execute(f"CREATE ROLE \"{user}\" LOGIN CREATEDB PASSWORD '{password}'")
            c.execute(f'CREATE DATABASE "{db}" OWNER "{user}"')
        print(f"ok: service postgres as {user}@{local}/{db}", flush=True)
    base_env = {k: local_text(str(v)) for k, v in job.get("env", {}).items()}
    env = dict(os.environ)
    venv_bin: str | None = None
    for s in job["steps"]:
        title = f"CI step {s.get('name', s.get('uses', s.get('run', '')[:40]))!r}"
        uses = s.get("uses", "")
        if uses.startswith("actions/checkout"):
            print(f"ok: {title} (the project copy is the checkout)", flush=True)
            continue
        if uses.startswith("actions/setup-python"):
            version = str(s["with"]["python-version"])
            venv = project.parent / "ci-python"
            step(title, [interpreter(version), "-m", "venv", str(venv)], project, clean_env(interpreter(version)))
            venv_bin = str(venv / "bin")
            continue
        if uses:
            raise SystemExit(f"FAILED: {title}: no local stand-in for {uses}")
        env = clean_env(sys.executable if venv_bin is None else str(Path(venv_bin) / "python"))
        if venv_bin is not None:
            env["PATH"] = f"{venv_bin}:{env['PATH']}"
        env.update(base_env)
        env.update({k: local_text(str(v)) for k, v in s.get("env", {}).items()})
        script = local_text(s["run"])
        if s.get("shell") == "python":
            with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
                f.write(script)
            step(title, ["python", f.name], project, env)
        else:
            step(title, ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], project, env)


def docker(project: Path) -> None:
    text = (project / "docker/Dockerfile").read_text().replace("\\\n", " ")
    stages = re.split(r"^FROM\s+", text, flags=re.M)[1:]
    builder = next(s for s in stages if re.match(r"\S+\s+AS\s+builder\b", s, flags=re.I))
    image = builder.split()[0]
    m = re.match(r"python:(\d+\.\d+)", image)
    if not m:
        raise SystemExit(f"FAILED: the builder's image {image} is not python:X.Y")
    python = interpreter(m.group(1))
    root = project.parent / "image"
    root.mkdir()
    venv = root / "opt-venv"
    step(f"image Python {m.group(1)}: python -m venv", [python, "-m", "venv", str(venv)], root, clean_env(python))
    env = clean_env(str(venv / "bin" / "python"))
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    workdir = root
    for line in builder.splitlines()[1:]:
        line = line.strip()
        if line.startswith("WORKDIR "):
            workdir = root / line.split()[1].lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif line.startswith("COPY ") and "--from" not in line:
            *sources, dest = line.split()[1:]
            for src in sources:
                target = workdir / dest / Path(src).name if dest.endswith("/") else workdir / dest
                (shutil.copytree if (project / src).is_dir() else shutil.copy)(project / src, target)
        elif line.startswith("RUN "):
            command = line[4:]
            if "python -m venv /opt/venv" in command:
                continue  # made above, at opt-venv
            step(f"Dockerfile: RUN {command[:80]}", ["bash", "-eo", "pipefail", "-c", command], workdir, env)
    step("the image's venv imports the application's packages",
         [str(venv / "bin" / "python"), "-c", "import fastapi, sqlalchemy, alembic, psycopg, argon2, uvicorn"],
         project, env)


def main() -> int:
    mode, project = sys.argv[1], Path(sys.argv[2]).resolve()
    with tempfile.TemporaryDirectory(prefix="run-docs-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".venv", "__pycache__", "*.db"))
        if mode == "readme":
            readme(copy)
        elif mode == "ci":
            ci(copy, sys.argv[3])
        elif mode == "docker":
            docker(copy)
        else:
            raise SystemExit(f"unknown mode {mode}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""deploy/ as an operator uses it: the systemd units (systemd's own verifier where the machine has it, and
everywhere a parse that checks what they name exists), `check --deploy` with the example environment,
and the README naming every file it ships."""

import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.management import get_commands

from critvue.tests.topology import DEPLOY_ENV, ROOT
from testkit.net import free_port

UNITS = ROOT / "deploy" / "systemd"
README = ROOT / "deploy" / "README.md"
APP = "/srv/critvue/app"  # where deploy/README.md installs the project
# The directives of systemd's unit, service, timer and install sections (systemd.unit(5), .service(5),
# .exec(5), .kill(5), .resource-control(5), .timer(5)): a misspelt one is only a warning to systemd,
# which then runs the unit without it.
DIRECTIVES = {
    "Unit": """Description Documentation Wants Requires Requisite BindsTo PartOf Upholds Conflicts Before After
        OnFailure OnSuccess PropagatesReloadTo ReloadPropagatedFrom PropagatesStopTo StopPropagatedFrom JoinsNamespaceOf
        RequiresMountsFor OnFailureJobMode IgnoreOnIsolate StopWhenUnneeded RefuseManualStart RefuseManualStop
        AllowIsolate DefaultDependencies CollectMode FailureAction SuccessAction FailureActionExitStatus
        SuccessActionExitStatus JobTimeoutSec JobRunningTimeoutSec JobTimeoutAction JobTimeoutRebootArgument
        StartLimitIntervalSec StartLimitBurst StartLimitAction RebootArgument SourcePath ConditionPathExists
        ConditionPathIsDirectory ConditionFileNotEmpty ConditionHost ConditionVirtualization AssertPathExists""",
    "Service": """Type ExitType RemainAfterExit GuessMainPID PIDFile BusName ExecStart ExecStartPre ExecStartPost
        ExecCondition ExecReload ExecStop ExecStopPost RestartSec TimeoutStartSec TimeoutStopSec TimeoutAbortSec
        TimeoutSec RuntimeMaxSec RuntimeRandomizedExtraSec WatchdogSec Restart RestartMode SuccessExitStatus
        RestartPreventExitStatus RestartForceExitStatus RootDirectoryStartOnly NonBlocking NotifyAccess Sockets
        FileDescriptorStoreMax USBFunctionDescriptors USBFunctionStrings OOMPolicy OOMScoreAdjust
        WorkingDirectory RootDirectory User Group DynamicUser SupplementaryGroups PAMName UMask Nice
        CPUSchedulingPolicy CPUSchedulingPriority CPUAffinity NUMAPolicy IOSchedulingClass IOSchedulingPriority
        Environment EnvironmentFile PassEnvironment UnsetEnvironment StandardInput StandardOutput StandardError
        SyslogIdentifier LogLevelMax LogExtraFields TTYPath RuntimeDirectory StateDirectory CacheDirectory
        LogsDirectory ConfigurationDirectory RuntimeDirectoryMode StateDirectoryMode CacheDirectoryMode
        LogsDirectoryMode RuntimeDirectoryPreserve ReadWritePaths ReadOnlyPaths InaccessiblePaths ExecPaths
        NoExecPaths TemporaryFileSystem BindPaths BindReadOnlyPaths PrivateTmp PrivateDevices PrivateNetwork
        PrivateUsers PrivateMounts ProtectSystem ProtectHome ProtectHostname ProtectClock ProtectKernelTunables
        ProtectKernelModules ProtectKernelLogs ProtectControlGroups ProtectProc ProcSubset RestrictAddressFamilies
        RestrictNamespaces RestrictRealtime RestrictSUIDSGID LockPersonality MemoryDenyWriteExecute
        SystemCallFilter SystemCallArchitectures SystemCallErrorNumber CapabilityBoundingSet AmbientCapabilities
        NoNewPrivileges KeyringMode RemoveIPC LimitNOFILE LimitNPROC LimitCORE LimitAS LimitMEMLOCK LimitCPU
        KillMode KillSignal RestartKillSignal SendSIGHUP SendSIGKILL FinalKillSignal WatchdogSignal
        CPUWeight CPUQuota MemoryMin MemoryLow MemoryHigh MemoryMax MemorySwapMax TasksMax IOWeight
        IPAddressAllow IPAddressDeny Slice Delegate""",
    "Timer": """OnActiveSec OnBootSec OnStartupSec OnUnitActiveSec OnUnitInactiveSec OnCalendar AccuracySec
        RandomizedDelaySec FixedRandomDelay OnClockChange OnTimezoneChange Unit Persistent WakeSystem
        RemainAfterElapse""",
    "Install": "Alias WantedBy RequiredBy UpheldBy Also DefaultInstance",
}
DIRECTIVES = {section: set(names.split()) for section, names in DIRECTIVES.items()}
SECTIONS = {".service": {"Unit", "Service", "Install"}, ".timer": {"Unit", "Timer", "Install"}}


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A unit file's sections as (key, value) lists; AssertionError on anything systemd would ignore."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    lines = iter(enumerate(path.read_text().splitlines(), 1))
    for number, line in lines:
        where = f"{path.name}:{number}"
        while line.endswith("\\"):  # a continued line
            line = line[:-1] + " " + next(lines)[1].strip()
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("["):
            assert re.fullmatch(r"\[\w+\]", stripped), where
            current = stripped[1:-1]
            assert current in SECTIONS[path.suffix] and current not in sections, where
            sections[current] = []
            continue
        assert current is not None and "=" in stripped, where
        key, value = (part.strip() for part in stripped.split("=", 1))
        assert key in DIRECTIVES[current], f"{where}: unknown directive {key} in [{current}]"
        sections[current].append((key, value))
    return sections


def units() -> list[Path]:
    found = sorted(p for p in UNITS.iterdir() if p.suffix in SECTIONS)
    assert found and all(p.suffix in SECTIONS for p in UNITS.iterdir()), list(UNITS.iterdir())
    return found


def enabled_instances(template: Path) -> list[str]:
    """The instances deploy/README.md enables of a template unit (`name@instance.timer`)."""
    stem = template.name.split("@", 1)[0]
    return sorted(set(re.findall(rf"{re.escape(stem)}@([\w-]+)\.(?:timer|service)", README.read_text())))


def instances(unit: Path) -> list[tuple[str, str]]:
    """(name, %i) of the unit itself, or of each instance the README enables of a template."""
    if "@." not in unit.name:
        return [(unit.name, "")]
    found = enabled_instances(unit)
    assert found, f"deploy/README.md enables no instance of {unit.name}"
    return [(unit.name.replace("@.", f"@{i}."), i) for i in found]


def test_every_unit_parses_and_names_what_exists():
    commands = get_commands()
    environment_keys = {
        line.split("=", 1)[0].lstrip("# ")
        for line in DEPLOY_ENV.read_text().splitlines()
        if re.match(r"#? ?[A-Z_]+=", line)
    }
    for unit in units():
        sections = parse_unit(unit)
        assert sections.get("Unit") and dict(sections["Unit"]).get("Description"), unit.name
        if unit.suffix == ".timer":
            service = unit.with_suffix(".service")
            assert service.exists(), f"{unit.name} starts {service.name}, which deploy/ does not ship"
            assert ("WantedBy", "timers.target") in sections["Install"], unit.name
            continue
        service = dict(sections["Service"])
        assert service["User"] == "critvue" and service["WorkingDirectory"] == APP, unit.name
        assert service["EnvironmentFile"] == "/etc/critvue/critvue.env", unit.name
        assert service.get("NoNewPrivileges") == "yes" and service.get("ProtectSystem") == "strict", unit.name
        for key, value in sections["Service"]:
            if not key.startswith("Exec"):
                continue
            program, *arguments = value.lstrip("-@:+!").split()
            assert program.startswith("/"), f"{unit.name}: {key} must name an absolute program"
            if program.startswith(APP):  # the project's own files
                relative = Path(program).relative_to(APP)
                assert relative.parts[0] == ".venv" or (ROOT / relative).exists(), f"{unit.name}: {program}"
                for argument in arguments:
                    if argument.startswith(APP):
                        assert (ROOT / Path(argument).relative_to(APP)).exists(), f"{unit.name}: {argument}"
            if arguments[:1] == ["manage.py"]:
                for name, instance in instances(unit):
                    command = arguments[1].replace("%i", instance)
                    assert command in commands, f"{name} runs manage.py {command}, which does not exist"
        for path in service.get("ReadWritePaths", "").split():
            assert path.lstrip("-") in DEPLOY_ENV.read_text(), f"{unit.name}: {path} is no folder of the environment"
        for assignment in (value for key, value in sections["Service"] if key == "Environment"):
            name = assignment.split("=", 1)[0]
            assert name not in environment_keys, f"{unit.name} overrides {name} of the environment file"


def test_the_readme_installs_and_enables_every_unit():
    text = README.read_text()
    for unit in units():
        assert unit.name in text, f"deploy/README.md never names {unit.name}"
        if unit.suffix == ".timer":
            for name, _ in instances(unit):
                assert re.search(rf"systemctl enable --now [^\n]*{re.escape(name)}", text), name


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.skip(
            "systemd-analyze is not installed here (Debian's systemd package); "
            "test_every_unit_parses_and_names_what_exists still checks the units"
        )
    return found


def test_systemd_verifies_every_unit(tmp_path):
    """systemd's own verifier on the units as installed, the project's paths pointing at this checkout."""
    program = systemd_analyze()
    venv_bin = Path(sys.executable).parent
    names = []
    for unit in units():
        text = unit.read_text().replace(f"{APP}/.venv/bin/", f"{venv_bin}/").replace(APP, str(ROOT))
        (tmp_path / unit.name).write_text(text)
        names += [f"./{name}" for name, _ in instances(unit)]
    verified = subprocess.run([program, "verify", *names], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    # Unknown directives and bad values are warnings with exit status 0: any output is a failure.
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")


def test_check_deploy_with_the_example_environment_warns_only_of_what_the_readme_explains():
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "CRITVUE_ENV_FILE": str(DEPLOY_ENV),
        "SECRET_KEY": secrets.token_urlsafe(50),
    }  # the one value the operator must fill in
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    reported = set(re.findall(r"\((\w+\.[EW]\d+)\)", checked.stdout + checked.stderr))
    assert reported == {"security.W021"}, checked.stdout + checked.stderr
    assert "security.W021" in README.read_text()


def test_the_s3_policies_name_the_folders_the_app_writes():
    from django.conf import settings

    folders = {settings.AVATAR_S3_LOCATION, settings.PERSONA_MEDIA_S3_LOCATION}
    app = json.loads((ROOT / "deploy" / "s3" / "app-user-policy.json").read_text())
    objects = next(s for s in app["Statement"] if "s3:PutObject" in s["Action"])
    assert {"s3:GetObject", "s3:PutObjectAcl", "s3:DeleteObject"} <= set(objects["Action"])  # ACLs: avatars
    assert {r.split(":::critvue-media/", 1)[1] for r in objects["Resource"]} == {f"{f}/*" for f in folders}
    public = json.loads((ROOT / "deploy" / "s3" / "public-avatars-bucket-policy.json").read_text())
    (grant,) = public["Statement"]
    assert (grant["Principal"], grant["Action"]) == ("*", "s3:GetObject")
    assert grant["Resource"] == f"arn:aws:s3:::critvue-media/{settings.AVATAR_S3_LOCATION}/*"  # never media


def test_the_site_serves_certbot_challenges_over_http_and_redirects_the_rest(tmp_path):
    """deploy/nginx/critvue.conf's port-80 server, run for real on free loopback ports: the first certificate
    and every renewal (certbot --webroot, deploy/README.md step 8) need its challenge files."""
    from critvue.tests.test_topology_faults import self_signed
    from critvue.tests.topology import nginx_binary, site_locations, stop

    cert, key = self_signed(tmp_path)
    challenge = tmp_path / "acme" / ".well-known" / "acme-challenge" / "token-123"
    challenge.parent.mkdir(parents=True)
    challenge.write_text("token-123.thumbprint")
    (tmp_path / "locations.conf").write_text(site_locations("critvue", tmp_path / "a", tmp_path / "m"))
    http, https = free_port(), free_port()
    live = "/etc/letsencrypt/live/api.critvue.example"
    site = (ROOT / "deploy" / "nginx" / "critvue.conf").read_text()
    for old, new in (
        (f"{live}/fullchain.pem", cert),
        (f"{live}/privkey.pem", key),
        ("/var/www/html", str(tmp_path / "acme")),
        ("/etc/nginx/snippets/critvue-locations.conf", str(tmp_path / "locations.conf")),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl", f"listen 127.0.0.1:{https} ssl"),
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
    ):
        assert old in site, old
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site)
    temp = "\n".join(
        f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would become `nobody`, who cannot read pytest's folders.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n{temp}\n"
        f"access_log off;\ninclude {tmp_path}/site.conf;\n}}\n"
    )
    nginx = subprocess.Popen(
        [
            nginx_binary(),
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-e",
            str(tmp_path / "error.log"),
            "-g",
            "daemon off;",
        ]
    )
    try:
        host = {"Host": "api.critvue.example"}
        deadline = time.monotonic() + 30
        while True:
            try:
                served = requests.get(
                    f"http://127.0.0.1:{http}/.well-known/acme-challenge/token-123", headers=host, timeout=10
                )
                break
            except requests.ConnectionError:
                assert nginx.poll() is None and time.monotonic() < deadline, (tmp_path / "error.log").read_text()
                time.sleep(0.1)
        assert (served.status_code, served.text) == (200, "token-123.thumbprint")
        moved = requests.get(
            f"http://127.0.0.1:{http}/api/v1/profile/me?x=1", headers=host, allow_redirects=False, timeout=10
        )
        assert (moved.status_code, moved.headers["Location"]) == (
            301,
            "https://api.critvue.example/api/v1/profile/me?x=1",
        )
    finally:
        stop(nginx)

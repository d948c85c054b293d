#!/usr/bin/env python3
"""Checks the deployment manifests against the code and against the rules of
deploy/OPERATIONS.md. Reads the services' own declarations from the sources
(`PrmService` NAME, DOWNSTREAM, OPTIONAL_DOWNSTREAM, EVENTS_TO in
services/*/src/lib.rs, the gateway's PRM_*_URL flags, the port order of the
launcher) and then, in the rendered Kubernetes manifests and the resolved
compose file, that:

  - every service binary has a Deployment, Service, PodDisruptionBudget,
    HorizontalPodAutoscaler and NetworkPolicy (and a compose service),
    listening on its port, with gRPC probes, on its own database prm_<name>;
  - each service serves as a role that is not the databases' owner
    (PRM_DATABASE_URL: in k8s from a Secret other than prm-db, in compose
    the role deploy/postgres/init-databases.sh creates) and migrates as the
    owner (PRM_DATABASE_MIGRATION_URL, on the same database); the gateway
    (no row-level security) uses the owner and has no migration URL;
  - each one is given exactly the downstream URLs its code reads, pointing
    at the right Service and port; the gateway is given all of its own;
  - each NetworkPolicy admits exactly the gateway and the services that call
    it (derived from the URLs above), and a default-deny policy exists;
  - every workload runs non-root, read-only, without privilege escalation,
    with all capabilities dropped, seccomp RuntimeDefault, requests and limits;
  - no Secret is rendered, and every secretKeyRef names a documented Secret;
  - the CloudNativePG resources (no public schema here) have the fields the
    manifests rely on, a Database for every service, and the serving role
    as a managed role that logs in, is no superuser and does not bypass RLS.

  - the collector's pipelines name only defined components, and the compose
    services export to its OTLP/gRPC port.

Usage: topology.py REPO K8S_RENDER... [--compose COMPOSE_RENDER] [--otel deploy/otel-collector.yaml]
Each K8S_RENDER is `name=path` of `kubectl kustomize` output.
"""
import re
import sys
from pathlib import Path

import yaml

errors = []


def err(where, msg):
    errors.append(f"{where}: {msg}")


def source_topology(repo: Path):
    """name -> dict(required, optional, events) from the Rust sources."""
    services = {}
    for lib in sorted(repo.glob("services/*/src/lib.rs")):
        text = lib.read_text()
        if "impl PrmService for" not in text:
            continue
        name = re.search(r'const NAME: &\'static str = "([a-z_]+)"', text)
        if not name:
            continue

        def names(const):
            m = re.search(rf"const {const}: &'static \[&'static str\] = &\[([^\]]*)\]", text)
            return re.findall(r'"([a-z_]+)"', m.group(1)) if m else []

        events = re.search(r'const EVENTS_TO: Option<&\'static str> = Some\("([a-z_]+)"\)', text)
        services[name.group(1)] = {
            "required": set(names("DOWNSTREAM")) | ({events.group(1)} if events else set()),
            "optional": set(names("OPTIONAL_DOWNSTREAM")),
        }
    bins = set()
    for cargo in repo.glob("services/*/Cargo.toml"):
        bins |= set(re.findall(r'name = "(prm-[a-z_]+)"\s*\npath = "src/main.rs"', cargo.read_text()))
    for b in bins:
        if b.removeprefix("prm-") not in services:
            err("sources", f"binary {b} has no PrmService impl found")
    launcher = (repo / "gateway/src/launcher.rs").read_text()
    order = re.findall(r'"([a-z]+)"', re.search(r"PORT_ORDER: \[&str; \d+\] = \[([^\]]*)\]", launcher).group(1))
    ports = {n: 50051 + i for i, n in enumerate(order)}
    gateway = set(re.findall(r'env = "PRM_([A-Z]+)_URL"', (repo / "gateway/src/bin/prm.rs").read_text()))
    gateway = {g.lower() for g in gateway} & set(ports)
    return services, ports, gateway


def load(path):
    return [d for d in yaml.safe_load_all(Path(path).read_text()) if d]


SERVICE_URL = re.compile(r"PRM_([A-Z]+)_URL")
KNOWN = set()


def url_targets(env):
    """The services whose gRPC URL `env` sets (PRM_<SERVICE>_URL)."""
    return {m.group(1).lower() for v in env if (m := SERVICE_URL.fullmatch(v)) and m.group(1).lower() in KNOWN}


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


# The Secret of the role that owns every database (the CloudNativePG
# bootstrap owner in-cluster): migrations and the gateway only.
OWNER_SECRET = "prm-db"
K8S_DB_URL = re.compile(r"postgres://\$\((\w+)\):\$\((\w+)\)@\$\(DB_HOST\)/(prm_[a-z_]+)\$\(DB_PARAMS\)")


def k8s_db_url(container, var):
    """(Secret of the user, database) of the URL in `var` when its user and
    password are `$(VARS)` defined above it from the `username` and
    `password` keys of one Secret; else an error message."""
    env = container.get("env", [])
    names = [e["name"] for e in env]
    if var not in names:
        return f"no {var}"
    m = K8S_DB_URL.fullmatch(env[names.index(var)].get("value") or "")
    if not m:
        return f"{var} is not postgres://$(USER):$(PASSWORD)@$(DB_HOST)/prm_<name>$(DB_PARAMS)"
    refs = []
    for part, key in ((m.group(1), "username"), (m.group(2), "password")):
        if part not in names[: names.index(var)]:
            return f"{var} uses $({part}), not defined above it"
        ref = (env[names.index(part)].get("valueFrom") or {}).get("secretKeyRef") or {}
        if ref.get("key") != key:
            return f"{var}: {part} is not the {key} key of a Secret"
        refs.append(ref.get("name"))
    if refs[0] != refs[1]:
        return f"{var} takes its user and password from different Secrets {refs}"
    return refs[0], m.group(3)


def check_workload(where, obj):
    spec = obj["spec"]["template"]["spec"]
    psc = spec.get("securityContext", {})
    if psc.get("runAsNonRoot") is not True:
        err(where, "pod securityContext.runAsNonRoot is not true")
    if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        err(where, "pod seccompProfile is not RuntimeDefault")
    for c in spec.get("containers", []) + spec.get("initContainers", []):
        cw = f"{where} container {c['name']}"
        sc = c.get("securityContext", {})
        if sc.get("allowPrivilegeEscalation") is not False:
            err(cw, "allowPrivilegeEscalation is not false")
        if sc.get("readOnlyRootFilesystem") is not True:
            err(cw, "readOnlyRootFilesystem is not true")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            err(cw, "capabilities do not drop ALL")
        res = c.get("resources", {})
        for kind in ("requests", "limits"):
            if "memory" not in res.get(kind, {}):
                err(cw, f"no memory {kind}")
        if "cpu" not in res.get("requests", {}):
            err(cw, "no cpu request")
        for probe in ("readinessProbe", "livenessProbe"):
            if probe not in c:
                err(cw, f"no {probe}")


def check_k8s(render_name, docs, services, ports, gateway, secrets):
    where = f"k8s {render_name}"
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    deployments = by_kind.get("Deployment", {})
    for kind in ("Deployment", "StatefulSet"):
        for name, obj in by_kind.get(kind, {}).items():
            check_workload(f"{where} {kind} {name}", obj)
    if "Secret" in by_kind:
        err(where, f"renders Secrets {sorted(by_kind['Secret'])}: Secrets are referenced, never committed")
    for d in docs:
        for ref in re.findall(r"'secretKeyRef': \{[^}]*'name': '([^']+)'", str(d)):
            if ref not in secrets:
                err(where, f"{d['kind']} {d['metadata']['name']} references undocumented Secret {ref}")
    policies = by_kind.get("NetworkPolicy", {})
    if not any(p["spec"].get("podSelector") == {} and p["spec"].get("ingress") is None for p in policies.values()):
        err(where, "no default-deny ingress NetworkPolicy")

    # The Secrets the services serve with (the serving role's).
    serving_secrets = set()

    # Who calls whom, from the URLs each workload is actually given.
    callers = {n: set() for n in services}
    for name, dep in deployments.items():
        for c in dep["spec"]["template"]["spec"]["containers"]:
            for target in url_targets(env_of(c)):
                callers.setdefault(target, set()).add(name)

    def policy_sources(app):
        found = set()
        for p in policies.values():
            if p["spec"].get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") != app:
                continue
            for rule in p["spec"].get("ingress", []):
                for src in rule.get("from", []):
                    label = src.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
                    if label:
                        found.add(label)
                    elif "namespaceSelector" in src:
                        found.add("namespace:" + str(src["namespaceSelector"].get("matchLabels")))
                    else:
                        found.add("other:" + str(src))
        return found

    for name, decl in services.items():
        app, port = f"prm-{name}", ports.get(name)
        w = f"{where} {app}"
        dep = deployments.get(app)
        if dep is None:
            err(w, "no Deployment")
            continue
        c = dep["spec"]["template"]["spec"]["containers"][0]
        env = env_of(c)
        if c.get("command") != [f"/usr/local/bin/{app}"]:
            err(w, f"command {c.get('command')} does not run /usr/local/bin/{app}")
        if env.get("PRM_LISTEN") != f"0.0.0.0:{port}":
            err(w, f"PRM_LISTEN {env.get('PRM_LISTEN')} is not 0.0.0.0:{port}")
        serving, owner = k8s_db_url(c, "PRM_DATABASE_URL"), k8s_db_url(c, "PRM_DATABASE_MIGRATION_URL")
        for var, got in (("PRM_DATABASE_URL", serving), ("PRM_DATABASE_MIGRATION_URL", owner)):
            if isinstance(got, str):
                err(w, got)
            elif got[1] != f"prm_{name}":
                err(w, f"{var} is not its own database prm_{name}")
        if isinstance(serving, tuple):
            if serving[0] == OWNER_SECRET:
                err(w, f"PRM_DATABASE_URL serves as the owner (Secret {OWNER_SECRET}): row-level security is the owner's to turn off")
            else:
                serving_secrets.add(serving[0])
        if isinstance(owner, tuple) and owner[0] != OWNER_SECRET:
            err(w, f"PRM_DATABASE_MIGRATION_URL is not the owner's (Secret {OWNER_SECRET}) but {owner[0]}")
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            if c.get(probe, {}).get("grpc", {}).get("port") != port:
                err(w, f"{probe} is not a gRPC health probe on {port}")
        given = url_targets(env)
        if not decl["required"] <= given:
            err(w, f"missing URLs of {sorted(decl['required'] - given)} (DOWNSTREAM/EVENTS_TO)")
        if given - decl["required"] - decl["optional"]:
            err(w, f"URLs of {sorted(given - decl['required'] - decl['optional'])} it never calls")
        for d in given:
            if env[f"PRM_{d.upper()}_URL"] != f"http://prm-{d}:{ports.get(d)}":
                err(w, f"PRM_{d.upper()}_URL {env[f'PRM_{d.upper()}_URL']} is not http://prm-{d}:{ports.get(d)}")
        svc = by_kind.get("Service", {}).get(app)
        if not svc or [p["port"] for p in svc["spec"]["ports"]] != [port]:
            err(w, f"no Service {app} on port {port}")
        if not any(p["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/name") == app
                   for p in by_kind.get("PodDisruptionBudget", {}).values()):
            err(w, "no PodDisruptionBudget")
        if not any(h["spec"]["scaleTargetRef"]["name"] == app
                   for h in by_kind.get("HorizontalPodAutoscaler", {}).values()):
            err(w, "no HorizontalPodAutoscaler")
        allowed = policy_sources(app)
        expected = callers[name] | {"prm-gateway"}
        if allowed != expected:
            err(w, f"NetworkPolicy admits {sorted(allowed)}, its callers are {sorted(expected)}")

    gw = deployments.get("prm-gateway")
    if gw is None:
        err(where, "no prm-gateway Deployment")
    else:
        c = gw["spec"]["template"]["spec"]["containers"][0]
        got = k8s_db_url(c, "PRM_DATABASE_URL")
        if isinstance(got, str):
            err(f"{where} prm-gateway", got)
        elif got != (OWNER_SECRET, "prm_gateway"):
            err(f"{where} prm-gateway", f"PRM_DATABASE_URL is not prm_gateway as the owner (Secret {OWNER_SECRET})")
        if "PRM_DATABASE_MIGRATION_URL" in env_of(c):
            err(f"{where} prm-gateway", "has a PRM_DATABASE_MIGRATION_URL (the identity store has no row-level security)")
        given = url_targets(env_of(c))
        if not gateway <= given:
            err(f"{where} prm-gateway", f"missing URLs of {sorted(gateway - given)}")
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            if c.get(probe, {}).get("httpGet", {}).get("path") != "/healthz":
                err(f"{where} prm-gateway", f"{probe} is not an HTTP probe on /healthz")
        if "prm-gateway" not in by_kind.get("Ingress", {}):
            err(where, "no Ingress for the gateway")

    for name, cl in by_kind.get("Cluster", {}).items():
        spec = cl.get("spec", {})
        if not isinstance(spec.get("instances"), int) or not spec.get("storage", {}).get("size"):
            err(f"{where} Cluster {name}", "needs spec.instances and spec.storage.size")
        secret = spec.get("bootstrap", {}).get("initdb", {}).get("secret", {}).get("name")
        if secret not in secrets:
            err(f"{where} Cluster {name}", f"initdb secret {secret} is not a documented Secret")
        if secret != OWNER_SECRET:
            err(f"{where} Cluster {name}", f"initdb secret {secret} is not the owner's {OWNER_SECRET}")
        roles = {(r.get("passwordSecret") or {}).get("name"): r for r in spec.get("managed", {}).get("roles", [])}
        for s in sorted(serving_secrets):
            role = roles.get(s)
            if role is None:
                err(f"{where} Cluster {name}", f"no managed role with passwordSecret {s}, which the services serve as")
                continue
            if role.get("ensure", "present") != "present" or role.get("login") is not True:
                err(f"{where} Cluster {name}", f"managed role {role.get('name')} is not present with login: true")
            for attr in ("superuser", "bypassrls", "createrole", "createdb", "replication"):
                if role.get(attr) is not False:
                    err(f"{where} Cluster {name}", f"managed role {role.get('name')} needs {attr}: false")
            if role.get("name") != secrets.get(s, {}).get("username"):
                err(f"{where} Cluster {name}",
                    f"managed role {role.get('name')} is not the username of Secret {s} in secret.example.yaml")
        dbs = {d["spec"]["name"] for d in by_kind.get("Database", {}).values() if d["spec"]["cluster"]["name"] == name}
        dbs.add(spec.get("bootstrap", {}).get("initdb", {}).get("database"))
        for want in ["prm_gateway"] + [f"prm_{n}" for n in services]:
            if want not in dbs:
                err(f"{where} Cluster {name}", f"no database {want}")


COMPOSE_DB_URL = re.compile(r"postgres://([^:@/]+):([^@/]*)@([^/]+)/([a-z_]+)")


def check_compose(path, services, ports, gateway, repo):
    doc = yaml.safe_load(Path(path).read_text())
    svcs = doc.get("services", {})
    # The owner is the image's POSTGRES_USER; the serving role is the one
    # the init script creates.
    owner = (svcs.get("postgres", {}).get("environment") or {}).get("POSTGRES_USER")
    created = re.findall(r"CREATE ROLE \"?([a-z_]+)", (repo / "deploy/postgres/init-databases.sh").read_text())
    if not owner:
        err("compose postgres", "no POSTGRES_USER")
    if len(created) != 1:
        err("deploy/postgres/init-databases.sh", f"creates roles {created}, not one serving role")
    for name, decl in list(services.items()) + [("gateway", None)]:
        w = f"compose {name}"
        s = svcs.get(name)
        if s is None:
            err(w, "no service")
            continue
        env = s.get("environment", {})
        if not s.get("read_only") or not s.get("user") or "ALL" not in s.get("cap_drop", []):
            err(w, "not read_only, non-root, without capabilities")
        if "healthcheck" not in s:
            err(w, "no healthcheck")
        given = url_targets(env)
        if decl is None:
            if not gateway <= given:
                err(w, f"missing URLs of {sorted(gateway - given)}")
            want_db = "prm_gateway"
        else:
            if s.get("command") != [f"/usr/local/bin/prm-{name}"]:
                err(w, f"command {s.get('command')}")
            if env.get("PRM_LISTEN") != f"0.0.0.0:{ports[name]}":
                err(w, f"PRM_LISTEN {env.get('PRM_LISTEN')}")
            if not decl["required"] <= given or given - decl["required"] - decl["optional"]:
                err(w, f"URLs of {sorted(given)}, its code reads {sorted(decl['required'] | decl['optional'])}")
            want_db = f"prm_{name}"
        for d in given:
            if env[f"PRM_{d.upper()}_URL"] != f"http://{d}:{ports.get(d)}":
                err(w, f"PRM_{d.upper()}_URL {env[f'PRM_{d.upper()}_URL']}")
        urls = {}
        for var in ("PRM_DATABASE_URL", "PRM_DATABASE_MIGRATION_URL"):
            if var in env:
                urls[var] = COMPOSE_DB_URL.fullmatch(str(env[var]))
                if not urls[var] or urls[var].group(4) != want_db:
                    err(w, f"{var} is not postgres://user:password@host/{want_db}")
        if "PRM_DATABASE_URL" not in urls:
            err(w, "no PRM_DATABASE_URL")
        if decl is None:
            if "PRM_DATABASE_MIGRATION_URL" in urls:
                err(w, "has a PRM_DATABASE_MIGRATION_URL (the identity store has no row-level security)")
            if urls.get("PRM_DATABASE_URL") and urls["PRM_DATABASE_URL"].group(1) != owner:
                err(w, f"PRM_DATABASE_URL is not the owner {owner}")
            continue
        if "PRM_DATABASE_MIGRATION_URL" not in urls:
            err(w, "no PRM_DATABASE_MIGRATION_URL (migrations as the owner)")
        elif urls["PRM_DATABASE_MIGRATION_URL"] and urls["PRM_DATABASE_MIGRATION_URL"].group(1) != owner:
            err(w, f"PRM_DATABASE_MIGRATION_URL is not the owner {owner}")
        serving = urls.get("PRM_DATABASE_URL")
        if serving and serving.group(1) == owner:
            err(w, f"PRM_DATABASE_URL serves as the owner {owner}: row-level security is the owner's to turn off")
        elif serving and serving.group(1) not in created:
            err(w, f"PRM_DATABASE_URL serves as {serving.group(1)}, not the role init-databases.sh creates {created}")


def check_otel(path, compose_path):
    """Every component a pipeline names is defined; OTLP comes in over gRPC
    and HTTP; the compose services export to the collector's gRPC port."""
    cfg = yaml.safe_load(Path(path).read_text())
    for pname, pipe in cfg.get("service", {}).get("pipelines", {}).items():
        for section in ("receivers", "processors", "exporters"):
            for comp in pipe.get(section, []):
                if comp not in (cfg.get(section) or {}):
                    err(f"otel {pname}", f"{section[:-1]} {comp} is not defined")
    protocols = (cfg.get("receivers", {}).get("otlp") or {}).get("protocols", {})
    if set(protocols) != {"grpc", "http"}:
        err("otel", f"the otlp receiver serves {sorted(protocols)}, not grpc and http")
    for ext in cfg.get("service", {}).get("extensions", []):
        if ext not in (cfg.get("extensions") or {}):
            err("otel", f"extension {ext} is not defined")
    if compose_path:
        svcs = yaml.safe_load(Path(compose_path).read_text()).get("services", {})
        grpc_port = str(protocols.get("grpc", {}).get("endpoint", "")).rsplit(":", 1)[-1]
        for name, s in svcs.items():
            endpoint = (s.get("environment") or {}).get("OTEL_EXPORTER_OTLP_ENDPOINT")
            if endpoint is None:
                continue
            m = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", endpoint)
            if not m or m.group(1) not in svcs or m.group(2) != grpc_port:
                err(f"compose {name}", f"OTEL_EXPORTER_OTLP_ENDPOINT {endpoint} is not the collector's OTLP/gRPC port")


def main(argv):
    repo = Path(argv[0])
    renders = [a for a in argv[1:] if "=" in a]
    compose = argv[argv.index("--compose") + 1] if "--compose" in argv else None
    services, ports, gateway = source_topology(repo)
    KNOWN.update(ports)
    if not services:
        err("sources", "no PrmService found")
    secrets = {d["metadata"]["name"]: d.get("stringData", {}) for d in load(repo / "k8s/base/secret.example.yaml")}
    secrets["prm-tls"] = {}
    for r in renders:
        name, path = r.split("=", 1)
        check_k8s(name, load(path), services, ports, gateway, secrets)
    if compose:
        check_compose(compose, services, ports, gateway, repo)
    if "--otel" in argv:
        check_otel(argv[argv.index("--otel") + 1], compose)
    for e in errors:
        print("  FAIL", e)
    print(f"topology: {len(services)} services ({', '.join(sorted(services))}), "
          f"{len(renders)} renders, compose {'checked' if compose else 'skipped'}: {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

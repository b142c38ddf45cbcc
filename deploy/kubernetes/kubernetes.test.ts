// Renders every kustomization with `kubectl kustomize` (kubectl's built-in Kustomize; no cluster is
// needed) and holds the result to what deploy/README.md promises: it parses; every image, ConfigMap
// and Secret it references is declared; every container is probed, sized and locked down; the
// admin APIs are reachable neither through an Ingress nor from other namespaces (but one rule); the
// identity core's environment is configuration the core actually reads.
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { type Domain, identityConfig, readRepoFile, repoRoot, unknownAppEnv } from "../platform.ts";
import { seedDrift } from "./sync-seeds.mjs";

// Rendered manifests are plain data; a loose type keeps the checks readable.
type Obj = Record<string, any>;

interface Target {
  dir: string;
  namespace: string;
  domain?: Domain;
}

const TARGETS: Target[] = [
  { dir: "deploy/kubernetes/overlays/ciam", namespace: "olympus-ciam", domain: "ciam" },
  { dir: "deploy/kubernetes/overlays/iam", namespace: "olympus-iam", domain: "iam" },
  { dir: "deploy/kubernetes/site", namespace: "olympus-site" },
];

/** Container port names of the admin APIs (Kratos admin, Hydra admin) and their numbers in a pod. */
const ADMIN_PORT_NAMES = ["admin", "oauth2-admin"];
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job"]);

interface RequiredSecret {
  namespace: string;
  name: string;
  keys: Record<string, string>;
}
const REQUIRED: RequiredSecret[] = (
  JSON.parse(readRepoFile("deploy/kubernetes/required-secrets.json")) as { secrets: RequiredSecret[] }
).secrets;

function render(dir: string): Obj[] {
  const probe = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      "kubectl is required to render the Kustomize overlays (its built-in Kustomize, no cluster): install it, e.g. `apt-get install -y kubectl`",
    );
  }
  const out = execFileSync("kubectl", ["kustomize", join(repoRoot, dir)], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  return parseAllDocuments(out).map((doc) => {
    if (doc.errors.length) throw doc.errors[0];
    return doc.toJS() as Obj;
  });
}

const podSpec = (o: Obj): Obj =>
  o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
const podLabels = (o: Obj): Record<string, string> => o.spec.template.metadata.labels ?? {};
const containersOf = (o: Obj): Obj[] => [...(podSpec(o).initContainers ?? []), ...podSpec(o).containers];
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** KEY -> value of a container's environment: literal values, ConfigMaps, placeholders for Secrets. */
function environment(c: Obj, objects: Obj[], secretValue: (key: string) => string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === from.configMapRef?.name);
    Object.assign(env, cm?.data ?? {});
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) env[e.name] = secretValue(e.valueFrom.secretKeyRef.key);
    else if (e.valueFrom?.configMapKeyRef) {
      const cm = objects.find(
        (o) => o.kind === "ConfigMap" && o.metadata.name === e.valueFrom.configMapKeyRef.name,
      );
      env[e.name] = cm?.data?.[e.valueFrom.configMapKeyRef.key];
    }
  }
  return env;
}

/** Secret values of the right shape, standing in for olympus-<domain>-secrets. */
const PLACEHOLDER_SECRETS: Record<string, string> = {
  dsn: "postgres://olympus:secret@db.example.com:5432/olympus",
  "secrets-cookie": '["0123456789abcdef0123456789abcdef"]',
  "secrets-cipher": '["0123456789abcdef0123456789abcdef"]',
  "courier-smtp-connection-uri": "smtps://user:password@smtp.example.com:465/",
  "hera-csrf-secret": "0123456789abcdef0123456789abcdef",
  "athena-session-secret": "0123456789abcdef0123456789abcdef",
};

it("deploy/kubernetes/overlays/*/seed are the current seeds/ (node deploy/kubernetes/sync-seeds.mjs)", () => {
  expect(seedDrift()).toEqual([]);
});

describe.each(TARGETS)("$dir", ({ dir, namespace, domain }) => {
  let objects: Obj[] = [];
  let workloads: Obj[] = [];
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const named = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);

  beforeAll(() => {
    objects = render(dir);
    workloads = objects.filter((o) => WORKLOADS.has(o.kind));
  });

  it("renders objects that each name their kind, name and the target's namespace", () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      for (const field of [o.apiVersion, o.kind, o.metadata?.name]) {
        expect(typeof field, JSON.stringify(o).slice(0, 120)).toBe("string");
      }
      if (o.kind === "Namespace") expect(o.metadata.name).toBe(namespace);
      else expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(namespace);
    }
    expect(byKind("Namespace")).toHaveLength(1);
    expect(byKind("Namespace")[0]!.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("runs only images the kustomization declares, built from deploy/docker, at a pinned tag", () => {
    const declared = (
      parse(readRepoFile(`${dir}/kustomization.yaml`)) as {
        images: { name: string; newName?: string; newTag: string }[];
      }
    ).images;
    for (const c of workloads.flatMap(containersOf)) {
      const m = /^([^:@]+)(?::([\w.-]+))?$/.exec(c.image);
      expect(m, c.image).not.toBeNull();
      const decl = declared.find((d) => (d.newName ?? d.name) === m![1]);
      expect(decl, `${c.image} is declared in ${dir}/kustomization.yaml`).toBeDefined();
      expect(m![2]).toBe(decl!.newTag);
      expect(m![2]).not.toMatch(/latest/);
      const app = m![1]!.split("/").at(-1);
      expect(["identity", "hera", "athena", "site"]).toContain(app);
    }
  });

  it("references only ConfigMaps (and keys) generated in the same render", () => {
    const configMap = (name: string) => named("ConfigMap", name);
    for (const w of workloads) {
      const spec = podSpec(w);
      for (const c of containersOf(w)) {
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef)
            expect(configMap(from.configMapRef.name), from.configMapRef.name).toBeDefined();
        }
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.configMapKeyRef;
          if (ref) expect(configMap(ref.name)?.data?.[ref.key], `${ref.name}/${ref.key}`).toBeDefined();
        }
        for (const mount of c.volumeMounts ?? []) {
          const volume = (spec.volumes ?? []).find((v: Obj) => v.name === mount.name);
          expect(volume, `${w.metadata.name}: volume ${mount.name}`).toBeDefined();
          if (volume.configMap && mount.subPath) {
            expect(
              configMap(volume.configMap.name)?.data?.[mount.subPath],
              `${volume.configMap.name}/${mount.subPath}`,
            ).toBeDefined();
          }
        }
      }
      for (const v of spec.volumes ?? []) {
        const names = [v.configMap?.name, ...(v.projected?.sources ?? []).map((s: Obj) => s.configMap?.name)];
        for (const name of names.filter(Boolean)) expect(configMap(name), name).toBeDefined();
      }
    }
  });

  it("references exactly the Secrets of required-secrets.json, and generates none", () => {
    expect(byKind("Secret")).toEqual([]);
    const used = new Map<string, Set<string>>();
    const use = (name: string, key: string) => used.set(name, (used.get(name) ?? new Set()).add(key));
    for (const w of workloads) {
      const spec = podSpec(w);
      for (const c of containersOf(w)) {
        for (const e of c.env ?? [])
          if (e.valueFrom?.secretKeyRef) use(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
        for (const from of c.envFrom ?? []) if (from.secretRef) use(from.secretRef.name, "*");
      }
      for (const v of spec.volumes ?? []) if (v.secret) use(v.secret.secretName, "*");
      for (const s of spec.imagePullSecrets ?? []) use(s.name, ".dockerconfigjson");
    }
    for (const ing of byKind("Ingress")) {
      for (const tls of ing.spec.tls ?? []) {
        use(tls.secretName, "tls.crt");
        use(tls.secretName, "tls.key");
      }
    }
    const required = REQUIRED.filter((s) => s.namespace === namespace);
    expect([...used.keys()].sort()).toEqual(required.map((s) => s.name).sort());
    for (const s of required) expect([...used.get(s.name)!].sort()).toEqual(Object.keys(s.keys).sort());
  });

  it("probes, sizes and locks down every container", () => {
    for (const w of workloads) {
      const spec = podSpec(w);
      expect(spec.automountServiceAccountToken, w.metadata.name).toBe(false);
      for (const c of containersOf(w)) {
        const where = `${w.kind}/${w.metadata.name}/${c.name}`;
        if (w.kind !== "Job") {
          const ports = new Set([
            ...(c.ports ?? []).map((p: Obj) => p.name),
            ...(c.ports ?? []).map((p: Obj) => p.containerPort),
          ]);
          for (const probe of ["livenessProbe", "readinessProbe"]) {
            expect(
              c[probe]?.httpGet ?? c[probe]?.tcpSocket ?? c[probe]?.exec,
              `${where} ${probe}`,
            ).toBeDefined();
            const port = c[probe].httpGet?.port ?? c[probe].tcpSocket?.port;
            if (port !== undefined) expect(ports.has(port), `${where} ${probe} port ${port}`).toBe(true);
          }
        }
        for (const kind of ["requests", "limits"]) {
          expect(c.resources?.[kind]?.cpu, `${where} ${kind}.cpu`).toBeDefined();
          expect(c.resources?.[kind]?.memory, `${where} ${kind}.memory`).toBeDefined();
        }
        const sc = c.securityContext ?? {};
        expect(sc.allowPrivilegeEscalation, where).toBe(false);
        expect(sc.readOnlyRootFilesystem, where).toBe(true);
        expect(sc.capabilities?.drop, where).toContain("ALL");
        expect(sc.privileged ?? false, where).toBe(false);
        expect(sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot, where).toBe(true);
        expect(sc.runAsUser ?? spec.securityContext?.runAsUser, where).not.toBe(0);
        expect((sc.seccompProfile ?? spec.securityContext?.seccompProfile)?.type, where).toBe(
          "RuntimeDefault",
        );
        // A read-only root needs a writable /tmp.
        const tmp = (c.volumeMounts ?? []).find((m: Obj) => m.mountPath === "/tmp");
        expect(tmp, `${where} mounts /tmp`).toBeDefined();
        expect(
          (spec.volumes ?? []).find((v: Obj) => v.name === tmp.name)?.emptyDir,
          `${where} /tmp is an emptyDir`,
        ).toBeDefined();
      }
      expect(spec.hostNetwork ?? false).toBe(false);
    }
  });

  it("keeps Services cluster-internal and pointed at pods and ports that exist", () => {
    for (const svc of byKind("Service")) {
      expect(svc.spec.type ?? "ClusterIP", svc.metadata.name).toBe("ClusterIP");
      const pods = workloads.filter((w) => w.kind !== "Job" && matches(svc.spec.selector, podLabels(w)));
      expect(pods.length, `pods of Service ${svc.metadata.name}`).toBeGreaterThan(0);
      for (const port of svc.spec.ports) {
        for (const w of pods) {
          const names = containersOf(w).flatMap((c) => (c.ports ?? []).map((p: Obj) => p.name));
          expect(names, `${svc.metadata.name}:${port.name} -> ${w.metadata.name}`).toContain(port.targetPort);
        }
      }
    }
  });

  it("routes no Ingress to an admin API", () => {
    const ingresses = byKind("Ingress");
    expect(ingresses.length).toBeGreaterThan(0);
    for (const ing of ingresses) {
      for (const rule of ing.spec.rules) {
        for (const path of rule.http.paths) {
          const backend = path.backend.service;
          const svc = named("Service", backend.name);
          expect(svc, `${rule.host}: Service ${backend.name}`).toBeDefined();
          const port = svc!.spec.ports.find(
            (p: Obj) => p.name === backend.port.name || p.port === backend.port.number,
          );
          expect(port, `${rule.host}: ${backend.name} port ${JSON.stringify(backend.port)}`).toBeDefined();
          expect(ADMIN_PORT_NAMES, `${rule.host} -> ${backend.name}:${port.targetPort}`).not.toContain(
            port.targetPort,
          );
        }
      }
    }
  });

  it("accepts admin-API traffic from this namespace only (and IAM from CIAM's Athena)", () => {
    const adminPods = workloads.filter((w) =>
      containersOf(w).some((c) => (c.ports ?? []).some((p: Obj) => ADMIN_PORT_NAMES.includes(p.name))),
    );
    for (const w of adminPods) {
      const policies = byKind("NetworkPolicy").filter((p) =>
        matches(p.spec.podSelector.matchLabels ?? {}, podLabels(w)),
      );
      expect(policies.length, `${w.metadata.name} has a NetworkPolicy`).toBeGreaterThan(0);
      for (const rule of policies.flatMap((p) => p.spec.ingress ?? [])) {
        const ports = (rule.ports ?? []).map((p: Obj) => p.port);
        const admitsAdmin = ports.length === 0 || ports.some((p: string) => ADMIN_PORT_NAMES.includes(p));
        if (!admitsAdmin) continue;
        expect(
          rule.from?.length,
          `a rule opening ${ports.join(",") || "every port"} names its sources`,
        ).toBeGreaterThan(0);
        for (const peer of rule.from) {
          expect(peer.ipBlock, "no address ranges on admin ports").toBeUndefined();
          if (!peer.namespaceSelector) {
            expect(peer.podSelector).toBeDefined();
            continue;
          }
          // Another namespace only by its exact name, for one app: the Site's playground on the OAuth2
          // admin port of either domain, and CIAM's Athena on IAM's Kratos admin port.
          if (peer.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "site") {
            expect(peer.namespaceSelector.matchLabels).toEqual({
              "kubernetes.io/metadata.name": "olympus-site",
            });
            expect(ports).toEqual(["oauth2-admin"]);
            continue;
          }
          expect(domain).toBe("iam");
          expect(peer.namespaceSelector.matchLabels).toEqual({
            "kubernetes.io/metadata.name": "olympus-ciam",
          });
          expect(peer.podSelector?.matchLabels).toEqual({ "app.kubernetes.io/name": "athena" });
          expect(ports).toEqual(["admin"]);
        }
      }
    }
  });

  it("lets the Site's playground reach the OAuth2 admin API of each domain's core", () => {
    if (!domain) return;
    const admitted = byKind("NetworkPolicy")
      .flatMap((p) => p.spec.ingress ?? [])
      .filter((rule: Obj) =>
        (rule.from ?? []).some(
          (peer: Obj) =>
            peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "olympus-site" &&
            peer.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "site",
        ),
      );
    expect(admitted.flatMap((rule: Obj) => (rule.ports ?? []).map((p: Obj) => p.port))).toEqual([
      "oauth2-admin",
    ]);
  });

  it("gives PodDisruptionBudgets and autoscalers real targets", () => {
    for (const pdb of byKind("PodDisruptionBudget")) {
      const pods = workloads.filter((w) => matches(pdb.spec.selector.matchLabels, podLabels(w)));
      expect(pods.length, `PDB ${pdb.metadata.name}`).toBe(1);
      const hpa = byKind("HorizontalPodAutoscaler").find(
        (h) => h.spec.scaleTargetRef.name === pods[0]!.metadata.name,
      );
      // minAvailable 1 must leave a pod to evict.
      expect(
        hpa?.spec.minReplicas ?? pods[0]!.spec.replicas,
        `replicas behind PDB ${pdb.metadata.name}`,
      ).toBeGreaterThan(1);
    }
    for (const hpa of byKind("HorizontalPodAutoscaler")) {
      const target = named(hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
      expect(target, `HPA ${hpa.metadata.name} target`).toBeDefined();
      expect(target!.spec.replicas, "the HPA owns the replica count").toBeUndefined();
      expect(hpa.spec.metrics.map((m: Obj) => m.resource?.name)).toContain("cpu");
    }
  });

  if (domain) {
    describe("identity core", () => {
      const api = () => named("Deployment", "identity")!;
      const courier = () => named("Deployment", "identity-courier")!;
      const migrate = () => named("Job", "identity-migrate")!;
      const seedConfig = join(repoRoot, dir, "seed/identity.yml");

      it("runs the API scaled without the courier, the courier as one replica, migrations as a Job", () => {
        const env = (w: Obj) =>
          environment(podSpec(w).containers[0], objects, (k) => PLACEHOLDER_SECRETS[k]!);
        expect(env(api()).COURIER_WORKER_ENABLED).toBe("false");
        expect(env(courier()).COURIER_WORKER_ENABLED).toBe("true");
        expect(courier().spec.replicas).toBe(1);
        expect(courier().spec.strategy.type).toBe("Recreate");
        expect(byKind("HorizontalPodAutoscaler").map((h) => h.spec.scaleTargetRef.name)).toEqual([
          "identity",
        ]);
        for (const w of [api(), courier()]) {
          const c = podSpec(w).containers[0];
          expect(c.args).toEqual(["serve", "--no-migrate"]);
          expect(c.livenessProbe.httpGet.path).toBe("/health/alive");
          expect(c.readinessProbe.httpGet.path).toBe("/health/ready");
        }
        expect(podSpec(migrate()).containers[0].args).toEqual(["migrate"]);
        expect(podSpec(migrate()).restartPolicy).toBe("Never");
      });

      it("mounts identity.yml where the image looks for it, and the schemas it names beside it", () => {
        const olympusConfig = /OLYMPUS_CONFIG=(\S+)/.exec(
          readRepoFile("deploy/docker/identity.Dockerfile"),
        )![1];
        const { config } = identityConfig(seedConfig, {});
        for (const w of [api(), courier(), migrate()]) {
          const c = podSpec(w).containers[0];
          const mount = (path: string) => c.volumeMounts.find((m: Obj) => m.mountPath === path);
          expect(mount(olympusConfig!)?.subPath, w.metadata.name).toBe("identity.yml");
          const schemasVolume = podSpec(w).volumes.find(
            (v: Obj) => v.name === mount("/etc/olympus/schemas")?.name,
          );
          const schemas = named("ConfigMap", schemasVolume.configMap.name)!;
          for (const s of config.identity.schemas) {
            expect(s.url).toMatch(/\/seed\/schemas\/[^/]+$/);
            expect(Object.keys(schemas.data), s.id).toContain(s.url.split("/").at(-1));
          }
        }
      });

      it("configures the core with keys it reads, listening where the pod's ports and Services say", () => {
        for (const w of [api(), courier(), migrate()]) {
          const c = podSpec(w).containers[0];
          const env = environment(c, objects, (k) => PLACEHOLDER_SECRETS[k]!);
          const { config, unknown } = identityConfig(seedConfig, env);
          expect(unknown, w.metadata.name).toEqual([]);
          expect(config.domain).toBe(domain);
          expect(config.dsn).toBe(PLACEHOLDER_SECRETS.dsn);
          if (w.kind === "Job") continue;
          const port = (name: string) => c.ports.find((p: Obj) => p.name === name)?.containerPort;
          expect(config.serve.public.port).toBe(port("public"));
          expect(config.serve.admin.port).toBe(port("admin"));
          expect(config.oauth2.serve.public.port).toBe(port("oauth2-public"));
          expect(config.oauth2.serve.admin.port).toBe(port("oauth2-admin"));
          for (const host of [
            config.serve.public.host,
            config.serve.admin.host,
            config.oauth2.serve.public.host,
            config.oauth2.serve.admin.host,
          ]) {
            expect(host).toBe("0.0.0.0");
          }
          expect(config.secrets.cipher).toHaveLength(1);
          expect(config.cookies.secure).toBe(true);
          // Browser-facing URLs are https, on the hosts of this overlay's Ingress.
          const hosts = byKind("Ingress").flatMap((i) => i.spec.rules.map((r: Obj) => r.host));
          for (const url of [
            config.serve.public.base_url!,
            config.oauth2.serve.public.base_url!,
            config.selfservice.flows.login.ui_url!,
          ]) {
            expect(url).toMatch(/^https:\/\//);
            expect(hosts).toContain(new URL(url).host);
          }
        }
      });

      it("points Hera and Athena at this domain's Services with variables they read", () => {
        for (const app of ["hera", "athena"] as const) {
          const c = podSpec(named("Deployment", app)!).containers[0];
          const env = environment(c, objects, (k) => PLACEHOLDER_SECRETS[k]!);
          expect(unknownAppEnv(app, Object.keys(env))).toEqual([]);
          expect(env.OLYMPUS_DOMAIN).toBe(domain);
          expect(Number(env.PORT)).toBe(c.ports.find((p: Obj) => p.name === "http").containerPort);
          for (const key of ["KRATOS_PUBLIC_URL", "KRATOS_ADMIN_URL", "HYDRA_ADMIN_URL"]) {
            const url = new URL(env[key]!);
            const svc = named("Service", url.hostname);
            expect(svc, `${app} ${key}`).toBeDefined();
            expect(
              svc!.spec.ports.map((p: Obj) => p.port),
              `${app} ${key}`,
            ).toContain(Number(url.port));
          }
          expect(env.HYDRA_ADMIN_URL).toMatch(/:4445$/);
        }
        const athena = environment(
          podSpec(named("Deployment", "athena")!).containers[0],
          objects,
          (k) => PLACEHOLDER_SECRETS[k]!,
        );
        expect(athena.AUTH_ISSUER_URL).toBe("https://auth.iam.example.com");
        expect(athena.IAM_KRATOS_ADMIN_URL).toMatch(
          /^http:\/\/identity-admin(\.olympus-iam\.svc\.cluster\.local)?:4434$/,
        );
      });
    });
  } else {
    it("gives the Site only variables it reads, and https issuers", () => {
      const c = podSpec(named("Deployment", "site")!).containers[0];
      const env = environment(c, objects, () => "");
      expect(unknownAppEnv("site", Object.keys(env))).toEqual([]);
      expect(env.CIAM_ISSUER_URL).toMatch(/^https:\/\//);
      expect(env.IAM_ISSUER_URL).toMatch(/^https:\/\//);
    });
  }
});

describe("deploy/README.md", () => {
  it("documents every required Secret and key", () => {
    const readme = readRepoFile("deploy/README.md");
    for (const s of REQUIRED) {
      expect(readme, s.name).toContain(s.name);
      for (const key of Object.keys(s.keys)) expect(readme, `${s.name}: ${key}`).toContain(key);
    }
  });
});

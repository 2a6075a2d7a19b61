/**
 * `kustomize build`, for the features deploy/k8s/ uses and no other: resources (files and
 * directories with their own kustomization.yaml), namespace, configMapGenerator (files),
 * secretGenerator (literals) without name hashes, images (newTag), patches (RFC 6902 JSON patches
 * by kind and name), and dropping objects annotated config.kubernetes.io/local-config. Any other
 * field fails the render, so the test cannot pass over something it does not apply. (No kustomize
 * or kubectl binary is packaged in Debian; the patches are applied with rfc6902.)
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { applyPatch, type Operation } from 'rfc6902';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
  configMapGenerator?: { name: string; files?: string[] }[];
  secretGenerator?: { name: string; literals?: string[] }[];
  images?: { name: string; newTag?: string }[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
}

const KNOWN = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'generatorOptions', 'configMapGenerator', 'secretGenerator', 'images', 'patches']);

function readObjects(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
}

/** Every container of a workload, init containers included. */
function containersOf(object: K8sObject): { image?: string }[] {
  const pod = (object.spec as { template?: { spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] } } } | undefined)?.template?.spec;
  return [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])];
}

export function kustomizeBuild(dir: string): K8sObject[] {
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const unknown = Object.keys(kustomization).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) throw new Error(`${dir}/kustomization.yaml: this renderer does not apply ${unknown.join(', ')}`);
  if ((kustomization.configMapGenerator ?? kustomization.secretGenerator) && !kustomization.generatorOptions?.disableNameSuffixHash) {
    throw new Error(`${dir}: generated names would carry a hash this renderer does not compute`);
  }
  let objects: K8sObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    for (const object of statSync(path).isDirectory() ? kustomizeBuild(path) : readObjects(path)) objects.push(object);
  }
  for (const generator of kustomization.configMapGenerator ?? []) {
    const data = Object.fromEntries((generator.files ?? []).map((file) => [basename(file), readFileSync(join(dir, file), 'utf8')]));
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data });
  }
  for (const generator of kustomization.secretGenerator ?? []) {
    const data = Object.fromEntries((generator.literals ?? []).map((literal) => {
      const at = literal.indexOf('=');
      return [literal.slice(0, at), Buffer.from(literal.slice(at + 1)).toString('base64')];
    }));
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: generator.name }, type: 'Opaque', data });
  }
  for (const { target, patch } of kustomization.patches ?? []) {
    const matched = objects.filter((o) => o.kind === target.kind && o.metadata.name === target.name);
    if (matched.length !== 1) throw new Error(`${dir}: a patch targets ${target.kind}/${target.name}, which matches ${String(matched.length)} objects`);
    const failures = applyPatch(matched[0], parse(patch) as Operation[]).filter((error) => error !== null);
    if (failures.length > 0) throw new Error(`${dir}: the patch of ${target.kind}/${target.name} does not apply: ${failures.map((e) => e.message).join('; ')}`);
  }
  for (const { name, newTag } of kustomization.images ?? []) {
    for (const container of objects.flatMap(containersOf)) {
      if (container.image === name && newTag !== undefined) container.image = `${name}:${newTag}`;
    }
  }
  if (kustomization.namespace !== undefined) {
    for (const object of objects) if (object.kind !== 'Namespace') object.metadata.namespace = kustomization.namespace;
  }
  // Objects marked local-config are inputs to the build, never applied.
  objects = objects.filter((o) => o.metadata.annotations?.['config.kubernetes.io/local-config'] !== 'true');
  return objects;
}

export const k8sDir = (root: string): string => join(root, 'deploy', 'k8s');
export const overlayDir = (root: string, name: string): string => join(k8sDir(root), 'overlays', name);

/**
 * Kubernetes objects checked offline, as kubeconform's strict mode would: kubernetes-models
 * validates each object against the Kubernetes API's own schema (types, formats, required fields),
 * and the models @kubernetes/client-node generates from the same OpenAPI document list every field
 * each type has, so a field the API does not know (a typo, a field from another kind) is refused
 * rather than silently dropped by the API server.
 */
import * as models from '@kubernetes/client-node';
import type { K8sObject } from './kustomize.ts';

type AttributeMap = { baseName: string; type: string }[];
type ModelClass = { getAttributeTypeMap(): AttributeMap };

function modelClass(type: string): ModelClass | undefined {
  const candidate = (models as unknown as Record<string, unknown>)[type];
  return typeof candidate === 'function' && 'getAttributeTypeMap' in candidate ? (candidate as ModelClass) : undefined;
}

/** Each field of `value` that type `type` does not have, or whose value is not of its type, by path. */
export function strictProblems(value: unknown, type: string, path: string): string[] {
  if (type === 'any' || type === 'object') return [];
  if (type === 'string' || type === 'Date') return typeof value === 'string' ? [] : [`${path}: not a string`];
  if (type === 'number') return typeof value === 'number' ? [] : [`${path}: not a number`];
  if (type === 'boolean') return typeof value === 'boolean' ? [] : [`${path}: not a boolean`];
  if (type === 'IntOrString') return typeof value === 'string' || typeof value === 'number' ? [] : [`${path}: neither a number nor a string`];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((item, i) => strictProblems(item, array[1] ?? '', `${path}[${String(i)}]`)) : [`${path}: not a list`];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (map) return isObject ? Object.entries(value).flatMap(([key, item]) => strictProblems(item, map[1] ?? '', `${path}.${key}`)) : [`${path}: not a map`];
  const model = modelClass(type);
  if (!model) throw new Error(`no model ${type} in @kubernetes/client-node (at ${path})`);
  if (!isObject) return [`${path}: not an object`];
  const fields = model.getAttributeTypeMap();
  return Object.entries(value).flatMap(([key, item]) => {
    const field = fields.find((f) => f.baseName === key);
    return field ? strictProblems(item, field.type, `${path}.${key}`) : [`${path}.${key}: unknown field of ${type}`];
  });
}

/** client-node's name for a kind: apps/v1 Deployment is V1Deployment, autoscaling/v2 HPA V2HorizontalPodAutoscaler. */
export function modelName(object: Pick<K8sObject, 'apiVersion' | 'kind'>): string {
  const version = object.apiVersion.split('/').at(-1) ?? '';
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${object.kind}`;
}

/** kubernetes-models' module for a kind: kubernetes-models/apps/v1/Deployment, kubernetes-models/v1/Service. */
async function validateWithSchema(object: K8sObject): Promise<string[]> {
  const module = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[object.kind];
  if (!Model) return [`kubernetes-models has no ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${object.kind}/${object.metadata.name}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/** Everything wrong with an object: its schema's complaints, then each field its kind does not have. */
export async function problemsOf(object: K8sObject): Promise<string[]> {
  return [...(await validateWithSchema(object)), ...strictProblems(object, modelName(object), `${object.kind}/${object.metadata.name}`)];
}

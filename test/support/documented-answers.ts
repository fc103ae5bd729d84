import { readFileSync } from 'node:fs';
import responseValidatorModule from 'openapi-response-validator';
import { projectPath } from '../../src/common/project-path.js';

// Every answer the API tests receive is checked against the checked-in OpenAPI document: its
// status must be one the operation declares, its content type one that status declares, its body
// valid against that schema (with no property the schema does not name), and every header the
// document marks required present. A drift between the gateway and its document fails the test
// that saw it.

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }>; headers?: Record<string, Header> }>;
}
interface Header {
  required?: boolean;
}
interface Route {
  pattern: RegExp;
  literals: number;
  operations: Record<string, Operation>;
}

const document = JSON.parse(readFileSync(projectPath('openapi', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

/** Routes with more literal segments first, as the router takes them (Statuses/{id} before {orderId}). */
const routes: Route[] = Object.entries(document.paths)
  .map(([template, operations]) => ({
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    literals: template.split('/').filter((segment) => segment && !segment.startsWith('{')).length,
    operations,
  }))
  .sort((a, b) => b.literals - a.literals);

/** The document's schemas, closed: an object schema admits only the properties it names. */
const closedComponents = { schemas: closeObjects(structuredClone(document.components.schemas)) };

function closeObjects<T>(value: T): T {
  if (Array.isArray(value)) {
    value.forEach(closeObjects);
  } else if (value !== null && typeof value === 'object') {
    const schema = value as Record<string, unknown>;
    if (schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
    Object.values(schema).forEach(closeObjects);
  }
  return value;
}

// A CommonJS module: its class is the default export's default.
const ResponseValidator = responseValidatorModule.default;
type ResponseValidator = InstanceType<typeof ResponseValidator>;
const validators = new Map<Operation, ResponseValidator>();

function validatorOf(operation: Operation): ResponseValidator {
  let validator = validators.get(operation);
  if (!validator) {
    validator = new ResponseValidator({
      responses: closeObjects(structuredClone(operation.responses)) as never,
      components: closedComponents as never,
    });
    validators.set(operation, validator);
  }
  return validator;
}

export interface ReceivedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text: parsed here, so that what is checked is exactly what was sent. */
  text: string;
}

/**
 * The ways `answer` departs from the document, empty when it does not. Paths the document does
 * not describe (Swagger UI, /metrics, unknown routes) and methods a path does not have are
 * answered outside it and not checked here.
 */
export function undocumented(method: string, url: string, answer: ReceivedAnswer): string[] {
  const path = url.split(/[?#]/)[0] ?? url;
  const route = routes.find((candidate) => candidate.pattern.test(path));
  const operation = route?.operations[method.toLowerCase()];
  if (!operation) return [];
  const declared = operation.responses[String(answer.status)] ?? operation.responses.default;
  if (!declared) return [`status ${answer.status} is not among ${Object.keys(operation.responses).join(', ')}`];
  const problems: string[] = [];
  for (const [name, header] of Object.entries(declared.headers ?? {})) {
    if (header.required && answer.headers[name.toLowerCase()] === undefined) problems.push(`header ${name} is missing`);
  }
  const contentType = String(answer.headers['content-type'] ?? '').split(';')[0] ?? '';
  const declaredTypes = Object.keys(declared.content ?? {});
  if (declaredTypes.length === 0) {
    if (answer.text !== '') problems.push(`a body where the document declares none: ${answer.text.slice(0, 120)}`);
    return problems;
  }
  if (!declaredTypes.includes(contentType)) {
    return [...problems, `content type ${contentType || '(none)'} is not among ${declaredTypes.join(', ')}`];
  }
  if (!contentType.endsWith('json')) return problems;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [...problems, `the body is not JSON: ${answer.text.slice(0, 120)}`];
  }
  const invalid = validatorOf(operation).validateResponse(answer.status, body);
  for (const error of invalid?.errors ?? []) {
    problems.push(`${error.path || '(body)'}: ${error.message}`);
  }
  return problems;
}

/** Throws when `answer` departs from the document, naming the route and every departure. */
export function assertDocumented(method: string, url: string, answer: ReceivedAnswer): void {
  const problems = undocumented(method, url, answer);
  if (problems.length > 0) {
    throw new Error(
      `${method.toUpperCase()} ${url} answered ${answer.status} outside the OpenAPI document:\n  ` +
        `${problems.join('\n  ')}\n  body: ${answer.text.slice(0, 400)}`,
    );
  }
}

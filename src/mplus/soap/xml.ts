import XMLBuilder from 'fast-xml-builder';
import { SaxesParser } from 'saxes';

// XML in and out of the MplusKASSA SOAP API, with libraries rather than string concatenation:
// saxes parses (strict, namespace-aware: elements are known by namespace and local name, never
// by prefix) and fast-xml-builder writes (escaping every value).
//
// Parsing refuses any DOCTYPE, so no entity is ever declared or expanded, and any document
// larger than the limit, before it reads it.

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const MPLUS_NS = 'urn:mplusqapi';

const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

export interface XmlElement {
  uri: string;
  local: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (concatenated text nodes), untrimmed. */
  text: string;
}

export class XmlRefusedError extends Error {
  constructor(reason: string) {
    super(`XML refused: ${reason}`);
    this.name = 'XmlRefusedError';
  }
}

export function parseXml(xml: string, maxBytes = DEFAULT_MAX_BYTES): XmlElement {
  if (Buffer.byteLength(xml) > maxBytes) throw new XmlRefusedError(`larger than ${maxBytes} bytes`);
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: Error | undefined;
  parser.on('doctype', () => {
    failure ??= new XmlRefusedError('a DOCTYPE is not accepted');
    throw failure;
  });
  parser.on('error', (error) => {
    failure ??= error instanceof XmlRefusedError ? error : new XmlRefusedError(error.message);
    throw failure;
  });
  parser.on('opentag', (tag) => {
    const attributes: Record<string, string> = {};
    for (const attribute of Object.values(tag.attributes)) attributes[attribute.name] = attribute.value;
    const element: XmlElement = { uri: tag.uri, local: tag.local, attributes, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('text', (text) => {
    const current = stack.at(-1);
    if (current) current.text += text;
  });
  parser.on('cdata', (text) => {
    const current = stack.at(-1);
    if (current) current.text += text;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  try {
    parser.write(xml).close();
  } catch (error) {
    throw failure ?? error;
  }
  if (!root) throw new XmlRefusedError('no root element');
  return root;
}

/** The first child with this local name in this namespace. */
export function child(element: XmlElement | undefined, local: string, uri = MPLUS_NS): XmlElement | undefined {
  return element?.children.find((candidate) => candidate.local === local && candidate.uri === uri);
}

export function childrenNamed(element: XmlElement | undefined, local: string, uri = MPLUS_NS): XmlElement[] {
  return element?.children.filter((candidate) => candidate.local === local && candidate.uri === uri) ?? [];
}

/** A node to write: `name` carries its prefix (`ns1:orderId`). */
export interface XmlNode {
  name: string;
  attributes?: Record<string, string>;
  children?: XmlNode[];
  text?: string;
}

// Empty elements are written with a start and an end tag (`<errorMessage></errorMessage>`), as
// MplusKASSA writes them: clients generated from its WSDL (its own PHP library among them) read a
// self-closed `<errorMessage/>` as null, which their non-nullable strings refuse.
const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
});

type Ordered = Record<string, unknown>;

/** Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text as XML can carry it: a control character in a customer's name must not void the request. */
function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '');
}

function toOrdered(node: XmlNode): Ordered {
  const content: Ordered[] =
    node.text !== undefined ? [{ '#text': xmlSafe(node.text) }] : (node.children ?? []).map((one) => toOrdered(one));
  const ordered: Ordered = { [node.name]: content };
  if (node.attributes) {
    ordered[':@'] = Object.fromEntries(
      Object.entries(node.attributes).map(([key, value]) => [`@_${key}`, xmlSafe(value)]),
    );
  }
  return ordered;
}

export function serializeXml(root: XmlNode): string {
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build([toOrdered(root)])}`;
}

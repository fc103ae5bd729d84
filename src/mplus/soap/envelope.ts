import { OPERATIONS, type OperationName, readSpec, writeSpec } from './mplus-codec.js';
import { MPLUS_NS, SOAP_ENV_NS, type XmlElement, type XmlNode, child, parseXml, serializeXml } from './xml.js';

// SOAP 1.1 envelopes of the MplusKASSA API (document/literal, one Body part). Requests are
// written as the official clients write them (prefix ns1); responses as the server does
// (SOAP-ENV and ns, which the official lightweight client even depends on). Readers look at
// namespaces and local names only.

export interface SoapFault {
  /** Without its prefix: Client, Client.Authentication, Server... */
  code: string;
  message: string;
}

export function requestEnvelope(operation: OperationName, body: Record<string, unknown>): string {
  return serializeXml({
    name: 'SOAP-ENV:Envelope',
    attributes: { 'xmlns:SOAP-ENV': SOAP_ENV_NS, 'xmlns:ns1': MPLUS_NS },
    children: [
      { name: 'SOAP-ENV:Header' },
      {
        name: 'SOAP-ENV:Body',
        children: [{ name: `ns1:${operation}`, children: writeSpec(OPERATIONS[operation].request, 'ns1', body) }],
      },
    ],
  });
}

export function responseEnvelope(operation: OperationName, body: Record<string, unknown>): string {
  const { response, responseSpec } = OPERATIONS[operation];
  return envelope({ name: `ns:${response}`, children: writeSpec(responseSpec, 'ns', body) });
}

export function faultEnvelope(fault: SoapFault): string {
  return envelope({
    name: 'SOAP-ENV:Fault',
    children: [
      { name: 'faultcode', text: `SOAP-ENV:${fault.code}` },
      { name: 'faultstring', text: fault.message },
    ],
  });
}

function envelope(bodyChild: XmlNode): string {
  return serializeXml({
    name: 'SOAP-ENV:Envelope',
    attributes: { 'xmlns:SOAP-ENV': SOAP_ENV_NS, 'xmlns:ns': MPLUS_NS },
    children: [{ name: 'SOAP-ENV:Body', children: [bodyChild] }],
  });
}

export class EnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/** The first element of a SOAP 1.1 Body. */
export function bodyElement(xml: string): XmlElement {
  const root = parseXml(xml);
  if (root.uri !== SOAP_ENV_NS || root.local !== 'Envelope') throw new EnvelopeError('not a SOAP 1.1 envelope');
  const body = child(root, 'Body', SOAP_ENV_NS);
  const first = body?.children[0];
  if (!first) throw new EnvelopeError('the SOAP Body is empty');
  return first;
}

export function readFault(element: XmlElement): SoapFault | null {
  if (element.uri !== SOAP_ENV_NS || element.local !== 'Fault') return null;
  // faultcode and faultstring are unqualified in SOAP 1.1.
  const code = element.children.find((one) => one.local === 'faultcode')?.text.trim() ?? '';
  const message = element.children.find((one) => one.local === 'faultstring')?.text ?? '';
  return { code: code.replace(/^[^:]*:/, ''), message };
}

/** The response body of `operation`, or an EnvelopeError when the answer is not that element. */
export function readResponse(operation: OperationName, element: XmlElement): Record<string, unknown> {
  const expected = OPERATIONS[operation].response;
  if (element.uri !== MPLUS_NS || element.local !== expected) {
    throw new EnvelopeError(`expected ${expected}, got {${element.uri}}${element.local}`);
  }
  return readSpec(OPERATIONS[operation].responseSpec, element);
}

export function readRequest(operation: OperationName, element: XmlElement): Record<string, unknown> {
  return readSpec(OPERATIONS[operation].request, element);
}

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bodyElement } from '../../src/mplus/soap/envelope.js';
import type { XmlElement } from '../../src/mplus/soap/xml.js';

// The official WSDL (../shared/mplus/mplusqapi.wsdl beside the project, or MPLUS_WSDL_DIR) is
// not part of the project; tests that need it say so and skip where it is absent.

const ROOT = path.join(import.meta.dirname, '..', '..');

export const WSDL_FILE = [
  process.env.MPLUS_WSDL_DIR && path.join(process.env.MPLUS_WSDL_DIR, 'mplusqapi.wsdl'),
  path.join(ROOT, '..', 'shared', 'mplus', 'mplusqapi.wsdl'),
  '/work/shared/mplus/mplusqapi.wsdl',
].find((file): file is string => Boolean(file && existsSync(file)));

export const XMLLINT = ['/usr/bin/xmllint', '/usr/local/bin/xmllint'].find((file) => existsSync(file));

export function skipReason(): string | null {
  if (!WSDL_FILE) return 'the MplusKASSA WSDL is not here (set MPLUS_WSDL_DIR to the folder of mplusqapi.wsdl)';
  if (!XMLLINT) return 'xmllint is not installed (apt-get install libxml2-utils)';
  return null;
}

let schemaFile: string | undefined;

/** The WSDL's XML Schema as a file of its own, with the WSDL's namespace declarations. */
function schema(): string {
  if (schemaFile) return schemaFile;
  const wsdl = readFileSync(WSDL_FILE!, 'utf8');
  const definitions = /<(?:\w+:)?definitions\b[^>]*>/.exec(wsdl)![0];
  const declarations = [...definitions.matchAll(/\sxmlns(?::\w+)?="[^"]*"/g)].map((match) => match[0]);
  const start = wsdl.indexOf('<xsd:schema');
  const end = wsdl.indexOf('</xsd:schema>') + '</xsd:schema>'.length;
  let text = wsdl.slice(start, end);
  const openTag = /<xsd:schema\b[^>]*>/.exec(text)![0];
  const missing = declarations.filter((declaration) => !openTag.includes(declaration.split('=')[0]!.trim()));
  text = text.replace(openTag, openTag.replace('<xsd:schema', `<xsd:schema${missing.join('')}`));
  // A few elements use the SOAP encoding's base64 type, which the schema never imports; for
  // validation it is XML Schema's base64Binary.
  text = text.replaceAll('type="SOAP-ENC:base64"', 'type="xsd:base64Binary"');
  const folder = mkdtempSync(path.join(os.tmpdir(), 'og-wsdl-'));
  schemaFile = path.join(folder, 'mplusqapi.xsd');
  writeFileSync(schemaFile, `<?xml version="1.0" encoding="UTF-8"?>\n${text}`);
  return schemaFile;
}

const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function standalone(element: XmlElement, root = true): string {
  const namespace = root ? ` xmlns="${element.uri}"` : '';
  const inner =
    element.children.length > 0 ? element.children.map((one) => standalone(one, false)).join('') : escape(element.text);
  return `<${element.local}${namespace}>${inner}</${element.local}>`;
}

/** The first element of a SOAP body, as an XML document of its own. */
export function bodyDocument(envelope: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${standalone(bodyElement(envelope))}`;
}

/** xmllint's verdict on each document against the WSDL's schema: the messages of the invalid ones. */
export function validateAgainstWsdl(documents: Array<{ name: string; xml: string }>): string[] {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'og-messages-'));
  const files = documents.map((document, index) => {
    const file = path.join(folder, `${String(index).padStart(3, '0')}-${document.name}.xml`);
    writeFileSync(file, document.xml);
    return file;
  });
  try {
    execFileSync(XMLLINT!, ['--noout', '--schema', schema(), ...files], { stdio: 'pipe' });
    return [];
  } catch (error) {
    const output = String((error as { stderr?: Buffer }).stderr ?? error);
    return output
      .split('\n')
      .filter((line) => line && !line.endsWith(' validates') && !line.endsWith(' fails to validate'));
  }
}

import fc from 'fast-check';
import { MPLUS_NS, XmlRefusedError, child, parseXml, serializeXml } from '../../src/mplus/soap/xml.js';
import { bodyElement, readResponse } from '../../src/mplus/soap/envelope.js';

const envelope = (body: string, extra = '') =>
  `<?xml version="1.0"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" ${extra}><S:Body>${body}</S:Body></S:Envelope>`;

describe('XML from MplusKASSA', () => {
  it('is read by namespace and local name, whatever the prefixes', () => {
    const answers = [
      envelope(
        '<ns:GetOrderResponse xmlns:ns="urn:mplusqapi"><ns:result>GET-ORDER-RESULT-NOT-FOUND</ns:result></ns:GetOrderResponse>',
      ),
      envelope(
        '<x:GetOrderResponse xmlns:x="urn:mplusqapi"><x:result>GET-ORDER-RESULT-NOT-FOUND</x:result></x:GetOrderResponse>',
      ),
      envelope(
        '<GetOrderResponse xmlns="urn:mplusqapi"><result>GET-ORDER-RESULT-NOT-FOUND</result></GetOrderResponse>',
      ),
    ];
    for (const xml of answers) {
      expect(readResponse('findOrder', bodyElement(xml))).toEqual({ result: 'GET-ORDER-RESULT-NOT-FOUND' });
    }
  });

  it('ignores an element of the right name in another namespace', () => {
    const xml = envelope(
      '<ns:GetOrderResponse xmlns:ns="urn:mplusqapi"><other:result xmlns:other="urn:elsewhere">X</other:result></ns:GetOrderResponse>',
    );
    expect(readResponse('findOrder', bodyElement(xml))).toEqual({});
    expect(() => readResponse('findOrder', bodyElement(envelope('<GetOrderResponse xmlns="urn:wrong"/>')))).toThrow(
      /expected GetOrderResponse/,
    );
  });

  it('refuses a DOCTYPE, so entities are never expanded', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><a>&lol2;</a>`;
    expect(() => parseXml(bomb)).toThrow(XmlRefusedError);
    const external = `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>`;
    expect(() => parseXml(external)).toThrow('a DOCTYPE is not accepted');
  });

  it('refuses undeclared entities, malformed XML and documents over the size limit', () => {
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(XmlRefusedError);
    expect(() => parseXml('<a><b></a>')).toThrow(XmlRefusedError);
    expect(() => parseXml(`<a>${'x'.repeat(2000)}</a>`, 1000)).toThrow('larger than 1000 bytes');
  });

  it('keeps predefined entities and CDATA as text', () => {
    const root = parseXml('<a xmlns="urn:mplusqapi"><t>A &amp; B &lt;C&gt;</t><u><![CDATA[<raw & text>]]></u></a>');
    expect(child(root, 't', MPLUS_NS)?.text).toBe('A & B <C>');
    expect(child(root, 'u', MPLUS_NS)?.text).toBe('<raw & text>');
  });

  it('escapes every value it writes', () => {
    const xml = serializeXml({
      name: 'ns1:a',
      attributes: { 'xmlns:ns1': 'urn:mplusqapi' },
      children: [{ name: 'ns1:text', text: '</ns1:text><evil/>&' }],
    });
    expect(xml).toContain('&lt;/ns1:text&gt;&lt;evil/&gt;&amp;');
    expect(child(parseXml(xml), 'text')?.text).toBe('</ns1:text><evil/>&');
  });
});

describe('XML, for any input', () => {
  it('parses or refuses with XmlRefusedError, nothing else, whatever arrives', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), xmlish()), (text) => {
        try {
          parseXml(text);
        } catch (error) {
          expect(error).toBeInstanceOf(XmlRefusedError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses every document that declares a DOCTYPE', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, body) => {
        const doc = `<?xml version="1.0"?><!DOCTYPE ${name.replace(/[<>]/g, '') || 'a'} [<!ENTITY e "${body.replace(/"/g, '')}">]><a>&e;</a>`;
        expect(() => parseXml(doc)).toThrow(XmlRefusedError);
      }),
      { numRuns: 200 },
    );
  });

  it('reads back exactly the text it wrote, for any text a client can send', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 50 })),
        (text) => {
          const xml = serializeXml({
            name: 'ns1:a',
            attributes: { 'xmlns:ns1': MPLUS_NS },
            children: [{ name: 'ns1:t', text }],
          });
          expect(child(parseXml(xml), 't', MPLUS_NS)?.text ?? '').toBe(xmlText(text));
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** Fragments of markup stitched together: more likely than random text to get deep into a parser. */
function xmlish() {
  const piece = fc.constantFrom(
    '<a>',
    '</a>',
    '<b x="1">',
    '</b>',
    '<!--',
    '-->',
    '<![CDATA[',
    ']]>',
    '&amp;',
    '&#x41;',
    '&#0;',
    '<?xml version="1.0"?>',
    '<!DOCTYPE a>',
    '<!ENTITY x "y">',
    '&x;',
    'text',
    '"',
    "'",
    '\u0000',
    '\uFFFF',
  );
  return fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));
}

/** What XML 1.0 can carry of a text: its characters outside the allowed ranges are dropped. */
function xmlText(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '').replace(/\r\n?/g, '\n');
}

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

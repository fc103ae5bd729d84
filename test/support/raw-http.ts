import net from 'node:net';

// HTTP/1.1 spoken by hand over a socket: for requests no HTTP client would send (oversized or
// malformed headers, bad lengths, undecodable paths), and the answer as it came on the wire.

export interface RawAnswer {
  status: number;
  /** Header names in lower case; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  text: string;
}

/**
 * Writes `request` to the server at `port`, and reads until the server closes the connection or
 * has sent Content-Length bytes of body. Null when the connection ended without an answer or
 * none came within `timeoutMs`.
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 5000): Promise<RawAnswer | null> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks)));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const answer = parseAnswer(Buffer.concat(chunks));
      if (answer && Buffer.byteLength(answer.text) >= Number(answer.headers['content-length'] ?? Infinity)) finish();
    });
    // The server may close while the request is still being written (a refusal mid-body): a reset then.
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

function parseAnswer(bytes: Buffer): RawAnswer | null {
  const text = bytes.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const match = /^HTTP\/1\.1 (\d{3})/.exec(statusLine);
  if (!match) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(match[1]), headers, text: text.slice(end + 4) };
}

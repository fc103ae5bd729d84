import autocannon from 'autocannon';

// The load generator, run as a process of its own so that it does not share an event loop with
// what it measures: reads a scenario as JSON from argv, warms up, measures, and prints one line
// of JSON with requests/s, latency percentiles and errors.

export interface LoadSpec {
  url: string;
  token: string | null;
  /** Requests cycled through (one picked at random each time); `{n}` in a path, body or header becomes a counter. */
  requests: Array<{
    method: 'GET' | 'POST' | 'PATCH';
    path: string;
    body?: string;
    headers?: Record<string, string>;
    weight?: number;
  }>;
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  /** Answers by status code, to tell what the non-2xx were. */
  statusCodes: Record<string, number>;
}

let counter = 0;

function run(spec: LoadSpec, seconds: number): Promise<autocannon.Result> {
  const weighted = spec.requests.flatMap((request) => Array.from({ length: request.weight ?? 1 }, () => request));
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: seconds,
        headers: spec.token ? { token: spec.token } : {},
        requests: [
          {
            setupRequest: (request) => {
              const pick = weighted[Math.floor(Math.random() * weighted.length)]!;
              counter += 1;
              const fill = (text: string) => text.replaceAll('{n}', `${process.pid}-${counter}`);
              // autocannon reuses the request object of a connection: say every field each time.
              return {
                ...request,
                method: pick.method,
                path: fill(pick.path),
                headers: {
                  ...(spec.token ? { token: spec.token } : {}),
                  ...(pick.body ? { 'content-type': 'application/json' } : {}),
                  ...Object.fromEntries(Object.entries(pick.headers ?? {}).map(([name, value]) => [name, fill(value)])),
                },
                body: pick.body ? fill(pick.body) : undefined,
              };
            },
          },
        ],
      },
      (error: Error | null, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as LoadSpec;
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds);
  const result = await run(spec, spec.seconds);
  const output: LoadResult = {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]),
    ),
  };
  console.log(JSON.stringify(output));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { createServer, type Server } from 'node:http';

/**
 * A payments API on 127.0.0.1 for the Customer example: `POST /charges` answers 201, or 503 while the
 * customer still has failures queued by `POST /_admin/fail {"customer","times"}`. `GET /charges` lists
 * what was charged, `GET /attempts` the calls per customer.
 */
export async function startPayments(): Promise<{ url: string; close(): Promise<void> }> {
  const failures = new Map<string, number>();
  const attempts = new Map<string, number>();
  const charges: unknown[] = [];
  const server: Server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const answer = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    try {
      if (request.method === 'POST' && request.url === '/_admin/fail') {
        const { customer, times } = JSON.parse(body) as { customer: string; times: number };
        failures.set(customer, times);
        return answer(200, { ok: true });
      }
      if (request.url === '/charges' && request.method === 'GET') return answer(200, charges);
      if (request.url === '/attempts' && request.method === 'GET')
        return answer(200, Object.fromEntries(attempts));
      if (request.url === '/charges' && request.method === 'POST') {
        const charge = JSON.parse(body) as { customer: string; cents: number };
        attempts.set(charge.customer, (attempts.get(charge.customer) ?? 0) + 1);
        const left = failures.get(charge.customer) ?? 0;
        if (left > 0) {
          failures.set(charge.customer, left - 1);
          return answer(503, { error: 'unavailable' });
        }
        charges.push(charge);
        return answer(201, { ok: true });
      }
      return answer(404, { error: 'no route' });
    } catch (error) {
      return answer(400, { error: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

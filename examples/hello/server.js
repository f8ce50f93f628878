// A tiny HTTP app for the quick start: `steward start examples/hello/server.js`.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3030);
let hits = 0;
createServer((_req, res) => {
  hits += 1;
  res.end(`hello from instance ${process.env.NODE_APP_INSTANCE ?? '?'} (pid ${process.pid}), hit #${hits}\n`);
})
  .listen(port, '127.0.0.1', () => console.log(`hello: listening on http://127.0.0.1:${port}`))
  .on('error', (err) => {
    console.error(`hello: cannot listen on ${port}: ${err.message} (set PORT to another port)`);
    process.exit(1);
  });

process.on('SIGINT', () => {
  console.log('hello: stopping');
  process.exit(0);
});

// An unmodified Node HTTP app: no cluster code, no shutdown code. Under Steward in cluster mode
// its instances share port 3000, and `steward reload` replaces them one by one without failing a
// request:  steward start examples/cluster/server.js -i 2
import { createServer } from 'node:http';

createServer((_req, res) => {
  res.end(`hello from instance ${process.env.NODE_APP_INSTANCE} (pid ${process.pid})\n`);
}).listen(Number(process.env.PORT ?? 3000));

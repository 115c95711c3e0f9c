// PostGraphile 5 with the Amber preset, as the issue 16 peer: the read_path benchmark's schema,
// read-only, no GraphiQL, no watch mode. benches/peer/postgraphile.sh copies this file next to the
// installed modules and sets the variables below.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.PEER_DATABASE_URL,
      schemas: [process.env.PEER_SCHEMA ?? "bench_read_path"],
      // The same pool size as Accord's in the benchmark (`db_max_connections = 16`).
      poolConfig: { max: Number(process.env.PEER_POOL ?? 16) },
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.PEER_PORT ?? 5678),
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
};

export default preset;

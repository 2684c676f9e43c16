import { join } from 'node:path';
import { TABLES } from '../../../schemas/index.ts';
import type { ResolvedPipelinesConfig } from '../pipelines-config.ts';
import { createCatalogSink, createR2FileSink, type StreamSink } from '../sinks/index.ts';
import { createPipelineTransforms, type PipelineTransforms } from './create-pipeline-transforms.ts';
import { sinkTableSchema } from './sink-table-schema.ts';
import { createSyncDuckDb, type SyncDuckDb } from './sync-duckdb.ts';

/** One sink a stream's rolls land in. */
export interface StreamOutput {
  /** The sink's name (`<stream>_sink` for a stream's own sink). */
  name: string;
  sink: StreamSink;
  /** True for a stream's own sink: `SELECT *`, the records as they were ingested. */
  identity: boolean;
}

/** Every stream's sinks, and the transforms that feed them. */
export interface StreamOutputs {
  byStream: Map<string, StreamOutput[]>;
  /** Null when no explicit pipeline is configured (no DuckDB is started). */
  transforms: PipelineTransforms | null;
  close(): void;
}

/**
 * Wires streams to sinks: each explicit pipeline statement to its named sink (with the sink table's
 * schema projected to what the SELECT produces), and every stream no pipeline reads to its own sink,
 * the implicit `INSERT INTO <stream>_sink SELECT * FROM <stream>`. Two sinks writing to the same place
 * are refused, naming both.
 *
 * @example
 * ```ts
 * import { pipelinesConfig } from '../pipelines-config.ts';
 * import { createStreamOutputs } from './create-stream-outputs.ts';
 * const outputs = createStreamOutputs(pipelinesConfig.parse({ dataDir: '.data' }), '.data/r2/lake');
 * outputs.byStream.get('events')?.[0]?.name; // 'events_sink'
 * ```
 */
export function createStreamOutputs(config: ResolvedPipelinesConfig, bucketDir: string): StreamOutputs {
  const byStream = new Map<string, StreamOutput[]>();
  const places = new Map<string, string>();
  const claim = (place: string, sink: string) => {
    const other = places.get(place);
    if (other)
      throw new Error(`sinks "${other}" and "${sink}" both write to ${place}: give each sink its own place`);
    places.set(place, sink);
  };

  let db: SyncDuckDb | null = null;
  let transforms: PipelineTransforms | null = null;
  if (config.pipelines.length > 0) {
    db = createSyncDuckDb();
    try {
      transforms = createPipelineTransforms({
        db,
        tmpDir: join(config.dataDir, 'pipelines', 'tmp'),
        streams: Object.fromEntries(
          Object.entries(config.streams).map(([name, s]) => [name, TABLES[s.table]]),
        ),
        sinks: Object.fromEntries(
          Object.entries(config.sinks).map(([name, s]) => [name, sinkTableSchema(s.schema)]),
        ),
        pipelines: config.pipelines,
      });
      for (const statement of transforms.statements) {
        const sink = config.sinks[statement.sink]!;
        const write =
          sink.kind === 'r2'
            ? createR2FileSink({
                stream: statement.stream,
                bucketDir,
                table: sink.path ?? statement.sink,
                schema: statement.schema,
                partitioning: sink.partitioning,
              })
            : createCatalogSink({
                stream: statement.stream,
                bucketDir,
                namespace: sink.namespace,
                table: sink.table ?? statement.sink,
                schema: statement.schema,
              });
        claim(
          placeOf(
            sink.kind,
            sink.kind === 'r2'
              ? (sink.path ?? statement.sink)
              : `${sink.namespace}.${sink.table ?? statement.sink}`,
          ),
          statement.sink,
        );
        const list = byStream.get(statement.stream) ?? [];
        list.push({ name: statement.sink, sink: write, identity: false });
        byStream.set(statement.stream, list);
      }
    } catch (error) {
      db.close();
      throw error;
    }
  }

  for (const [name, stream] of Object.entries(config.streams)) {
    if (byStream.has(name)) continue;
    const sinkName = `${name}_sink`;
    const schema = TABLES[stream.table];
    let sink: StreamSink;
    if (stream.sink.kind === 'r2-data-catalog') {
      const table = stream.sink.table ?? stream.table;
      claim(placeOf('r2-data-catalog', `${stream.sink.namespace}.${table}`), sinkName);
      sink = createCatalogSink({ stream: name, bucketDir, namespace: stream.sink.namespace, table, schema });
    } else {
      claim(placeOf('r2', stream.table), sinkName);
      sink = createR2FileSink({
        stream: name,
        bucketDir,
        table: stream.table,
        schema,
        partitioning: stream.partitioning,
      });
    }
    byStream.set(name, [{ name: sinkName, sink, identity: true }]);
  }

  return {
    byStream,
    transforms,
    close() {
      db?.close();
    },
  };
}

const placeOf = (kind: string, where: string): string =>
  kind === 'r2' ? `r2 prefix "${where}/"` : `the Iceberg table ${where}`;

// Shared by the data tests: Caffe2's make_source_dataset / make_destination_dataset.
import { Dataset, LocalSession, Net, type Field } from '../../lib/index.js';

export const sessions: LocalSession[] = [];

export function newSession(): LocalSession {
  const s = new LocalSession();
  sessions.push(s);
  return s;
}

export async function closeSessions(): Promise<void> {
  for (const s of sessions.splice(0)) await s.close();
}

/** A dataset with one int64 field `label` = offset … offset+size-1, fed into the session workspace. */
export function makeSourceDataset(session: LocalSession, size = 100, offset = 0, name = 'src'): Dataset {
  const blob = `${name}/label`;
  session.workspace.feed(blob, BigInt64Array.from({ length: size }, (_, i) => BigInt(offset + i)));
  return new Dataset({ label: 'int64' }, { name, blobs: [blob] });
}

/** An empty dataset of `schema`, initialized in the session workspace. */
export async function makeDestinationDataset(session: LocalSession, schemaField: Field, name = 'dst'): Promise<Dataset> {
  const ds = new Dataset(schemaField, { name });
  const init = new Net(`${name}_init`);
  ds.initEmpty(init);
  await session.run(init);
  return ds;
}

/** A blob's elements as numbers. */
export function numbers(session: LocalSession, blob: string): number[] {
  return Array.from(session.workspace.fetch(blob).data as ArrayLike<number | bigint>, (x) => Number(x));
}

/**
 * One IndexedDB database, `hearth`, with one key-value store: the smallest layer that store.ts
 * needs (get, put, delete, read or delete everything under a key prefix). Written here rather
 * than taken from idb-keyval because logging out deletes the whole database, and a connection
 * that does not close on `versionchange` (idb-keyval keeps its own open) would block that.
 * Every call fails softly: without IndexedDB (blocked, private modes) Hearth works online only.
 */

const DB_NAME = "hearth";
const STORE = "kv";

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => {
      const db = request.result;
      // A log-out (here or in another tab) deletes the database: step aside at once.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      db.onclose = () => (opening = null);
      resolve(db);
    };
    request.onerror = () => reject(request.error);
  }).catch((error: unknown) => {
    opening = null;
    throw error;
  });
  return opening;
}

/** Runs one request in a transaction and resolves with its result once the transaction commits. */
async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = tx.onabort = () => reject(tx.error ?? request.error);
  });
}

/** Every key that starts with `prefix`. */
const under = (prefix: string) => IDBKeyRange.bound(prefix, `${prefix}\uffff`);

export function get<T>(key: string): Promise<T | undefined> {
  return run("readonly", (store) => store.get(key) as IDBRequest<T | undefined>).catch(() => undefined);
}

export function put(key: string, value: unknown): Promise<void> {
  return run("readwrite", (store) => store.put(value, key)).then(
    () => undefined,
    () => undefined,
  );
}

export function del(key: string): Promise<void> {
  return run("readwrite", (store) => store.delete(key)).catch(() => undefined);
}

/** Deletes every key that starts with `prefix`. */
export function delUnder(prefix: string): Promise<void> {
  return run("readwrite", (store) => store.delete(under(prefix))).catch(() => undefined);
}

/** Every key that starts with `prefix`, with its value, in key order (one transaction). */
export async function entriesUnder<T>(prefix: string): Promise<[string, T][]> {
  try {
    const db = await open();
    return await new Promise<[string, T][]>((resolve, reject) => {
      const found: [string, T][] = [];
      const tx = db.transaction(STORE, "readonly");
      const cursor = tx.objectStore(STORE).openCursor(under(prefix));
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (!at) return;
        found.push([String(at.key), at.value as T]);
        at.continue();
      };
      tx.oncomplete = () => resolve(found);
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  } catch {
    return [];
  }
}

/**
 * Deletes this origin's IndexedDB databases: Hearth's, and any other (the emoji picker keeps
 * the emoji this user picked most). Resolves once each is deleted, or is blocked by a
 * connection elsewhere (it is deleted as soon as that one closes).
 */
export async function deleteDatabases(): Promise<void> {
  const names = new Set([DB_NAME]);
  try {
    for (const info of await indexedDB.databases()) if (info.name) names.add(info.name);
  } catch {
    // databases() is missing in some browsers: Hearth's own is deleted anyway.
  }
  opening = null;
  await Promise.all(
    [...names].map(
      (name) =>
        new Promise<void>((resolve) => {
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = request.onerror = request.onblocked = () => resolve();
        }),
    ),
  );
}

// The DPoP key pair kept in IndexedDB. CryptoKey objects are structured-
// cloneable, so the non-extractable private key is stored as an opaque handle
// that only this origin can use to sign; its bytes never reach script.
const DB = 'vigie';
const STORE = 'keys';
const ID = 'dpop';

function open(indexedDB) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function run(indexedDB, mode, action) {
  return open(indexedDB).then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = action(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(request.result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
    tx.onabort = () => { db.close(); reject(tx.error); };
  }));
}

export function indexedDbKeyStore(indexedDB = globalThis.indexedDB) {
  return {
    load: () => (indexedDB ? run(indexedDB, 'readonly', (s) => s.get(ID)) : Promise.resolve(null)),
    save: (pair) => (indexedDB ? run(indexedDB, 'readwrite', (s) => s.put(pair, ID)) : Promise.resolve()),
  };
}

// vitest 5 targets Node >= 22; its failure reporter calls Map.groupBy, which
// Node 20 lacks. Loaded with --import before vitest so failures are printed.
if (typeof Map.groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    configurable: true,
    writable: true,
    value(items, keyOf) {
      const map = new Map();
      let i = 0;
      for (const item of items) {
        const key = keyOf(item, i++);
        const group = map.get(key);
        if (group) group.push(item);
        else map.set(key, [item]);
      }
      return map;
    },
  });
}
if (typeof Object.groupBy !== 'function') {
  Object.defineProperty(Object, 'groupBy', {
    configurable: true,
    writable: true,
    value(items, keyOf) {
      const out = Object.create(null);
      let i = 0;
      for (const item of items) (out[keyOf(item, i++)] ??= []).push(item);
      return out;
    },
  });
}

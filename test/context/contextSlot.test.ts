// ContextSlot: how lib/net finds the active TaskGroup / NetBuilder without
// importing them (docs/architecture.md, "Layers").
import { describe, expect, it } from 'vitest';

import { ContextSlot } from '../../lib/context/ContextSlot.js';
import { ManagedContext, registerContext } from '../../lib/context/ManagedContext.js';
import { netBuilderSlot, taskGroupSlot } from '../../lib/context/slots.js';
import { NetBuilder, TaskGroup } from '../../lib/index.js';

class Widget extends ManagedContext {}
registerContext(Widget);

describe('ContextSlot', () => {
  it('before its class binds it: nothing can be active', () => {
    const slot = new ContextSlot<Widget>('Widget');
    expect(slot.current(undefined, { required: false })).toBeUndefined();
    expect(() => slot.current()).toThrow(expect.objectContaining({ code: 'HOGWILD_NO_ACTIVE_CONTEXT' }));
    expect(() => slot.current(new Widget())).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
  });

  it('once bound, answers as Cls.current() does', () => {
    const slot = new ContextSlot<Widget>('Widget');
    slot.bind(Widget);
    const w = new Widget();
    expect(slot.current(undefined, { required: false })).toBeUndefined();
    w.scope(() => expect(slot.current()).toBe(w));
    const given = new Widget();
    expect(slot.current(given)).toBe(given);
    expect(() => slot.current({} as Widget)).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
  });

  it('refuses a class of another name', () => {
    expect(() => new ContextSlot<Widget>('Gadget').bind(Widget)).toThrow(/Gadget/);
  });

  it('TaskGroup and NetBuilder bind their slots when they load', () => {
    const group = new TaskGroup();
    group.scope(() => expect(taskGroupSlot.current()).toBe(group));
    const nb = new NetBuilder({ name: 'outer' });
    nb.scope(() => expect(netBuilderSlot.current()?.name).toBe('outer'));
  });
});

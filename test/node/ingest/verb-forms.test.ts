import { describe, expect, it } from 'vitest';
import { verbForms } from '../../../ingest/index.ts';

describe('verbForms', () => {
  it.each([
    ['create', 'creating', 'created', 'createdBy', 'delete'],
    ['delete', 'deleting', 'deleted', 'deletedBy', 'create'],
    ['update', 'updating', 'updated', 'updatedBy', null],
    ['publish', 'publishing', 'published', 'publishedBy', 'unpublish'],
    ['stop', 'stopping', 'stopped', 'stoppedBy', 'start'],
    ['copy', 'copying', 'copied', 'copiedBy', null],
    ['send', 'sending', 'sent', 'sentBy', null],
    ['pay', 'paying', 'paid', 'paidBy', null],
    ['tie', 'tying', 'tied', 'tiedBy', null],
    ['follow', 'following', 'followed', 'followedBy', 'unfollow'],
  ])('%s → %s / %s / %s, inverse %s', (action, activity, event, reverse, inverse) => {
    expect(verbForms(action)).toEqual({ action, activity, event, reverse, inverse });
  });

  it.each(['', 'Create', 'create things', 'créer', '42', 'xyz'])(
    'rejects %j with a message naming it',
    (bad) => {
      expect(() => verbForms(bad)).toThrow(/lower-case imperative word/);
    },
  );
});

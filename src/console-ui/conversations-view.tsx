import { useState } from 'preact/hooks';
import { api, query } from './api.js';
import { type Filters, filterQuery } from './filters.js';
import { formatDate } from './format.js';
import { OriginMark } from './marks.js';
import { usePagedItems } from './paged-items.js';
import type { SelectionState } from './selection.js';
import type { Conversation, Message, Page } from './types.js';
import { VirtualList } from './virtual-list.js';

/**
 * The open conversation as bubbles. "Deleted only" and the date range apply to its messages too; the search applies
 * to the conversation list (names and participants), so it does not hide the open conversation's messages.
 */
function MessagesPane(props: {
  backupId: string;
  conversation: Conversation;
  filters: Filters;
  onError: (error: unknown) => void;
}) {
  const { backupId, conversation } = props;
  const filters = { ...filterQuery(props.filters), q: undefined };
  const messages = usePagedItems<Message>(
    JSON.stringify([backupId, conversation.id, filters]),
    (offset, limit) =>
      api<Page<Message>>(
        'GET',
        `/console/api/backups/${encodeURIComponent(backupId)}/conversations/${encodeURIComponent(conversation.id)}/messages${query({ offset, limit, ...filters })}`,
      ),
    props.onError,
  );
  const bubble = (index: number) => {
    const message = messages.at(index);
    if (!message) return <div class="bubble loading">…</div>;
    return (
      <div
        class={`bubble ${message.fromMe ? 'from-me' : 'from-them'}${message.deleted ? ' is-deleted' : ''}`}
        data-message={message.id}
      >
        <p class="who">
          {message.fromMe ? 'Me' : (message.sender ?? 'Unknown')} · {formatDate(message.date)}{' '}
          <OriginMark deleted={message.deleted} origin={message.origin} />
        </p>
        <p class="text" title={message.text ?? ''}>
          {message.text ?? ''}
        </p>
        {message.attachments.map((attachment) => (
          <a key={attachment.url} href={attachment.url} target="_blank" rel="noreferrer">
            {attachment.name}
          </a>
        ))}
      </div>
    );
  };
  return (
    <section class="messages" aria-label={`Messages with ${conversation.title}`}>
      <h3>{conversation.title}</h3>
      <VirtualList
        label={`Messages, ${messages.total ?? 0}`}
        rowCount={messages.total ?? 0}
        rowHeight={84}
        renderRow={bubble}
      />
    </section>
  );
}

/** Messages: the conversations (selectable whole), and the open one as bubbles. */
export function ConversationsView(props: {
  backupId: string;
  filters: Filters;
  selection: SelectionState;
  onSelectionChange: () => void;
  onError: (error: unknown) => void;
}) {
  const { backupId, filters, selection } = props;
  const [open, setOpen] = useState<Conversation | undefined>();
  const list = usePagedItems<Conversation>(
    JSON.stringify([backupId, filters]),
    (offset, limit) =>
      api<Page<Conversation>>(
        'GET',
        `/console/api/backups/${encodeURIComponent(backupId)}/conversations${query({ offset, limit, ...filterQuery(filters) })}`,
      ),
    props.onError,
  );
  const row = (index: number) => {
    const conversation = list.at(index);
    if (!conversation) return <div class="row loading">…</div>;
    return (
      <div
        class={`row conversation${open?.id === conversation.id ? ' is-open' : ''}`}
        data-conversation={conversation.id}
      >
        <input
          type="checkbox"
          aria-label={`Select conversation ${conversation.title}`}
          checked={selection.conversations.has(conversation.id)}
          onChange={(event) => {
            selection.toggleConversation(conversation.id, (event.currentTarget as HTMLInputElement).checked);
            props.onSelectionChange();
          }}
        />
        <button type="button" class="open" onClick={() => setOpen(conversation)}>
          <span class="title">{conversation.title}</span>
          <span class="sub">
            {conversation.messageCount} messages
            {conversation.deletedCount > 0 && ` · ${conversation.deletedCount} deleted`} ·{' '}
            {formatDate(conversation.lastDate)}
          </span>
        </button>
      </div>
    );
  };
  return (
    <div class="conversations">
      <div class="conversation-list">
        <p class="total" aria-live="polite">
          {list.total === undefined ? 'Loading…' : `${list.total.toLocaleString()} conversations`}
        </p>
        <VirtualList label="Conversations" rowCount={list.total ?? 0} rowHeight={64} renderRow={row} />
      </div>
      {open ? (
        <MessagesPane key={open.id} backupId={backupId} conversation={open} filters={filters} onError={props.onError} />
      ) : (
        <p class="messages-placeholder">Choose a conversation to read it.</p>
      )}
    </div>
  );
}

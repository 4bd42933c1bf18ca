import type { ChannelType } from '../api/types';
import { CHANNEL_NAME } from './format';


/** Element #2: the channel's logo, drawn inline (no image requests), with its name for screen readers. */
export function ChannelIcon({ channel, size = 20 }: { channel: ChannelType; size?: number }) {
  const label = CHANNEL_NAME[channel] ?? channel;
  return (
    <svg className={`ws-channel ws-channel-${channel}`} width={size} height={size} viewBox="0 0 24 24" role="img" aria-label={label}>
      <title>{label}</title>
      {channel === 'whatsapp' && (
        <>
          <circle cx="12" cy="12" r="12" fill="#25d366" />
          <path fill="#fff" d="M12 5.2a6.8 6.8 0 0 0-5.86 10.25L5.2 18.8l3.44-.9A6.8 6.8 0 1 0 12 5.2Zm0 12.3a5.5 5.5 0 0 1-2.8-.77l-.2-.12-2.04.54.55-1.99-.13-.2A5.5 5.5 0 1 1 12 17.5Z" />
          <path fill="#fff" d="M15 13.3c-.17-.08-.98-.48-1.13-.54-.15-.05-.26-.08-.37.09-.11.16-.43.54-.52.65-.1.1-.2.12-.36.04a4.5 4.5 0 0 1-2.24-1.96c-.17-.29.17-.27.48-.9.05-.1.03-.2-.01-.28-.04-.08-.37-.9-.51-1.23-.13-.32-.27-.28-.37-.28h-.32a.6.6 0 0 0-.44.2c-.15.17-.57.56-.57 1.36s.59 1.58.67 1.69c.08.1 1.16 1.77 2.8 2.48 1.05.45 1.46.49 1.98.41.32-.05.98-.4 1.12-.79.14-.39.14-.72.1-.79-.04-.07-.15-.11-.31-.19Z" />
        </>
      )}
      {channel === 'telegram' && (
        <>
          <circle cx="12" cy="12" r="12" fill="#229ed9" />
          <path fill="#fff" d="M5.4 11.7 17 7.2c.54-.2 1 .13.83.94l-1.98 9.3c-.14.66-.54.82-1.09.51l-3-2.22-1.45 1.4c-.16.16-.3.3-.6.3l.21-3.06 5.56-5.03c.24-.21-.05-.33-.38-.12l-6.87 4.33-2.96-.93c-.64-.2-.66-.64.13-.95Z" />
        </>
      )}
      {channel === 'webchat' && (
        <>
          <circle cx="12" cy="12" r="12" fill="#6366f1" />
          <path fill="#fff" d="M6.5 7h11A1.5 1.5 0 0 1 19 8.5v6a1.5 1.5 0 0 1-1.5 1.5H11l-3.5 2.8V16h-1A1.5 1.5 0 0 1 5 14.5v-6A1.5 1.5 0 0 1 6.5 7Z" />
        </>
      )}
      {channel === 'api' && (
        <>
          <circle cx="12" cy="12" r="12" fill="#57606a" />
          <path fill="none" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" d="m9.5 8.5-3.5 3.5 3.5 3.5M14.5 8.5l3.5 3.5-3.5 3.5" />
        </>
      )}
    </svg>
  );
}

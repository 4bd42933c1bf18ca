import { channelSettings } from './channels';

describe('webchat settings', () => {
  it('D33: a site is kept as the Origin a browser sends: a trailing slash goes, a path is refused', () => {
    expect(channelSettings.webchat.parse({ allowedOrigins: ['https://Shop.example/', 'http://localhost:8777'] })).toEqual({ allowedOrigins: ['https://shop.example', 'http://localhost:8777'] });
    expect(channelSettings.webchat.safeParse({ allowedOrigins: ['https://shop.example/chat'] }).error?.issues[0]?.message).toMatch(/without a path/);
    expect(channelSettings.webchat.safeParse({ allowedOrigins: ['https://shop.example/?x=1'] }).success).toBe(false);
    expect(channelSettings.webchat.safeParse({ allowedOrigins: ['not a url'] }).error?.issues.map((i) => i.message)).toEqual(['must be a site address like https://shop.example']);
  });
});

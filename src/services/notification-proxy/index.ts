export { NotificationProxyClient } from './client.js';
export {
  NOTIFICATION_PROXY_SERVICE,
  SyncNotification,
  observeRequest,
  postRequest,
  shutdownRequest,
} from './protocol.js';

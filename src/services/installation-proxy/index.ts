export { InstallationProxyClient } from './client.js';
export { InstallationProxyError, type InstallationProxyErrorCode } from './errors.js';
export { INSTALLATION_PROXY_SERVICE, browseRequest } from './protocol.js';

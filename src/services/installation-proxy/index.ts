export { InstallationProxyClient } from './client.js';
export { INSTALLATION_PROXY_SERVICE, browseRequest } from './protocol.js';

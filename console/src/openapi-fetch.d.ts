// The browser loads openapi-fetch from /console/openapi-fetch.js, served by Quire from node_modules; its types are the package's.

export * from 'openapi-fetch';
export { default } from 'openapi-fetch';

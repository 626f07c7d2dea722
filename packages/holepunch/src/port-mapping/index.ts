export { checkPortMappingOptions, PortMapper, PORT_MAPPING_RETRY, PORT_MAPPING_TIMEOUT, PORT_MAPPING_TTL } from './port-mapper'
export type { PortMapperEvents, PortMapperOptions } from './port-mapper'
export type { PortMapping, PortMappingBackend, PortMappingBackendFactory, PortMappingChange, PortMappingOptions, PortMappingProtocol, PortMappingState } from './types'

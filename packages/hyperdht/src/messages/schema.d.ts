import * as $protobuf from "protobufjs";

export interface IPeersRequest extends PeersRequest.$Properties {
}

export class PeersRequest {
    constructor(properties?: PeersRequest.$Properties);
    $unknowns?: Uint8Array[];
    type: number;
    port: number;
    localAddress: Uint8Array;
    static encode(message: PeersRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): PeersRequest & PeersRequest.$Shape;
}

export namespace PeersRequest {
    interface $Properties {
        type: number;
        port?: (number|null);
        localAddress?: (Uint8Array|null);
        $unknowns?: Uint8Array[];
    }
    type $Shape = PeersRequest.$Properties;
}

export interface IPeersResponse extends PeersResponse.$Properties {
}

export class PeersResponse {
    constructor(properties?: PeersResponse.$Properties);
    $unknowns?: Uint8Array[];
    peers: Uint8Array;
    localPeers: Uint8Array;
    static encode(message: PeersResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): PeersResponse & PeersResponse.$Shape;
}

export namespace PeersResponse {
    interface $Properties {
        peers?: (Uint8Array|null);
        localPeers?: (Uint8Array|null);
        $unknowns?: Uint8Array[];
    }
    type $Shape = PeersResponse.$Properties;
}

export interface IImmutablePut extends ImmutablePut.$Properties {
}

export class ImmutablePut {
    constructor(properties?: ImmutablePut.$Properties);
    $unknowns?: Uint8Array[];
    value: Uint8Array;
    static encode(message: ImmutablePut.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): ImmutablePut & ImmutablePut.$Shape;
}

export namespace ImmutablePut {
    interface $Properties {
        value: Uint8Array;
        $unknowns?: Uint8Array[];
    }
    type $Shape = ImmutablePut.$Properties;
}

export interface IImmutableValue extends ImmutableValue.$Properties {
}

export class ImmutableValue {
    constructor(properties?: ImmutableValue.$Properties);
    $unknowns?: Uint8Array[];
    value: Uint8Array;
    static encode(message: ImmutableValue.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): ImmutableValue & ImmutableValue.$Shape;
}

export namespace ImmutableValue {
    interface $Properties {
        value: Uint8Array;
        $unknowns?: Uint8Array[];
    }
    type $Shape = ImmutableValue.$Properties;
}

export interface IMutableRequest extends MutableRequest.$Properties {
}

export class MutableRequest {
    constructor(properties?: MutableRequest.$Properties);
    $unknowns?: Uint8Array[];
    publicKey: Uint8Array;
    salt: Uint8Array;
    seq: number;
    value: Uint8Array;
    signature: Uint8Array;
    static encode(message: MutableRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): MutableRequest & MutableRequest.$Shape;
}

export namespace MutableRequest {
    interface $Properties {
        publicKey: Uint8Array;
        salt?: (Uint8Array|null);
        seq?: (number|null);
        value?: (Uint8Array|null);
        signature?: (Uint8Array|null);
        $unknowns?: Uint8Array[];
    }
    type $Shape = MutableRequest.$Properties;
}

export interface IMutableRecord extends MutableRecord.$Properties {
}

export class MutableRecord {
    constructor(properties?: MutableRecord.$Properties);
    $unknowns?: Uint8Array[];
    seq: number;
    value: Uint8Array;
    signature: Uint8Array;
    static encode(message: MutableRecord.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): MutableRecord & MutableRecord.$Shape;
}

export namespace MutableRecord {
    interface $Properties {
        seq: number;
        value: Uint8Array;
        signature: Uint8Array;
        $unknowns?: Uint8Array[];
    }
    type $Shape = MutableRecord.$Properties;
}

export interface IPutResponse extends PutResponse.$Properties {
}

export class PutResponse {
    constructor(properties?: PutResponse.$Properties);
    $unknowns?: Uint8Array[];
    status: number;
    seq: number;
    value: Uint8Array;
    signature: Uint8Array;
    static encode(message: PutResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): PutResponse & PutResponse.$Shape;
}

export namespace PutResponse {
    interface $Properties {
        status: number;
        seq?: (number|null);
        value?: (Uint8Array|null);
        signature?: (Uint8Array|null);
        $unknowns?: Uint8Array[];
    }
    type $Shape = PutResponse.$Properties;
}

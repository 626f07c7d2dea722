/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
const $root = $protobuf.roots["hyperdht_ts_hyperdht"] || ($protobuf.roots["hyperdht_ts_hyperdht"] = {});

export const PeersRequest = $root.PeersRequest = (() => {

    /**
     * Properties of a PeersRequest.
     * @typedef {Object} PeersRequest.$Properties
     * @property {number} type PeersRequest type
     * @property {number|null} [port] PeersRequest port
     * @property {Uint8Array|null} [localAddress] PeersRequest localAddress
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */

    /**
     * Properties of a PeersRequest.
     * @exports IPeersRequest
     * @interface IPeersRequest
     * @augments PeersRequest.$Properties
     * @deprecated Use PeersRequest.$Properties instead.
     */

    /**
     * Shape of a PeersRequest.
     * @typedef {PeersRequest.$Properties} PeersRequest.$Shape
     */

    /**
     * Constructs a new PeersRequest.
     * @exports PeersRequest
     * @classdesc Represents a PeersRequest.
     * @constructor
     * @param {PeersRequest.$Properties=} [properties] Properties to set
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */
    const PeersRequest = function (properties) {
        if (properties)
            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                    this[keys[i]] = properties[keys[i]];
    };

    /**
     * PeersRequest type.
     * @member {number} type
     * @memberof PeersRequest
     * @instance
     */
    PeersRequest.prototype.type = 0;

    /**
     * PeersRequest port.
     * @member {number} port
     * @memberof PeersRequest
     * @instance
     */
    PeersRequest.prototype.port = 0;

    /**
     * PeersRequest localAddress.
     * @member {Uint8Array} localAddress
     * @memberof PeersRequest
     * @instance
     */
    PeersRequest.prototype.localAddress = $util.newBuffer([]);

    /**
     * Encodes the specified PeersRequest message. Does not implicitly {@link PeersRequest.verify|verify} messages.
     * @function encode
     * @memberof PeersRequest
     * @static
     * @param {PeersRequest.$Properties} message PeersRequest message or plain object to encode
     * @param {$protobuf.Writer} [writer] Writer to encode to
     * @returns {$protobuf.Writer} Writer
     */
    PeersRequest.encode = function (message, writer, _depth) {
        if (!writer)
            writer = $Writer.create();
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $util.recursionLimit)
            throw $Error("max depth exceeded");
        writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.type);
        if (message.port != null && $Object.hasOwnProperty.call(message, "port"))
            writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.port);
        if (message.localAddress != null && $Object.hasOwnProperty.call(message, "localAddress"))
            writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.localAddress);
        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
            for (let i = 0; i < message.$unknowns.length; ++i)
                writer.raw(message.$unknowns[i]);
        return writer;
    };

    /**
     * Decodes a PeersRequest message from the specified reader or buffer.
     * @function decode
     * @memberof PeersRequest
     * @static
     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
     * @param {number} [length] Message length if known beforehand
     * @returns {PeersRequest & PeersRequest.$Shape} PeersRequest
     * @throws {Error} If the payload is not a reader or valid buffer
     * @throws {$protobuf.util.ProtocolError} If required fields are missing
     */
    PeersRequest.decode = function (reader, length, _end, _depth, _target) {
        if (!(reader instanceof $Reader))
            reader = $Reader.create(reader);
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $Reader.recursionLimit)
            throw $Error("max depth exceeded");
        let end, message;
        if (length === $undefined)
            end = reader.len;
        else {
            end = reader.pos + length;
            if (end > reader.len)
                throw $RangeError("index out of range");
            length = reader.len;
            reader.len = end;
        }
        message = _target || new $root.PeersRequest();
        while (reader.pos < end) {
            let start = reader.pos;
            let tag = reader.tag();
            if (tag === _end) {
                _end = $undefined;
                break;
            }
            let wireType = tag & 7;
            switch (tag >>>= 3) {
            case 1: {
                    if (wireType !== 0)
                        break;
                    message.type = reader.uint32();
                    continue;
                }
            case 2: {
                    if (wireType !== 0)
                        break;
                    message.port = reader.uint32();
                    continue;
                }
            case 3: {
                    if (wireType !== 2)
                        break;
                    message.localAddress = reader.bytes();
                    continue;
                }
            }
            reader.skipType(wireType, _depth, tag);
            if (!reader.discardUnknown) {
                $util.makeProp(message, "$unknowns", false);
                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
            }
        }
        if (length !== $undefined) {
            if (reader.pos !== end)
                throw $RangeError("index out of range");
            reader.len = length;
        }
        if (_end !== $undefined)
            throw $Error("missing end group");
        if (!$Object.hasOwnProperty.call(message, "type"))
            throw $util.ProtocolError("missing required 'type'", { instance: message });
        return message;
    };

    return PeersRequest;
})();

export const PeersResponse = $root.PeersResponse = (() => {

    /**
     * Properties of a PeersResponse.
     * @typedef {Object} PeersResponse.$Properties
     * @property {Uint8Array|null} [peers] PeersResponse peers
     * @property {Uint8Array|null} [localPeers] PeersResponse localPeers
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */

    /**
     * Properties of a PeersResponse.
     * @exports IPeersResponse
     * @interface IPeersResponse
     * @augments PeersResponse.$Properties
     * @deprecated Use PeersResponse.$Properties instead.
     */

    /**
     * Shape of a PeersResponse.
     * @typedef {PeersResponse.$Properties} PeersResponse.$Shape
     */

    /**
     * Constructs a new PeersResponse.
     * @exports PeersResponse
     * @classdesc Represents a PeersResponse.
     * @constructor
     * @param {PeersResponse.$Properties=} [properties] Properties to set
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */
    const PeersResponse = function (properties) {
        if (properties)
            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                    this[keys[i]] = properties[keys[i]];
    };

    /**
     * PeersResponse peers.
     * @member {Uint8Array} peers
     * @memberof PeersResponse
     * @instance
     */
    PeersResponse.prototype.peers = $util.newBuffer([]);

    /**
     * PeersResponse localPeers.
     * @member {Uint8Array} localPeers
     * @memberof PeersResponse
     * @instance
     */
    PeersResponse.prototype.localPeers = $util.newBuffer([]);

    /**
     * Encodes the specified PeersResponse message. Does not implicitly {@link PeersResponse.verify|verify} messages.
     * @function encode
     * @memberof PeersResponse
     * @static
     * @param {PeersResponse.$Properties} message PeersResponse message or plain object to encode
     * @param {$protobuf.Writer} [writer] Writer to encode to
     * @returns {$protobuf.Writer} Writer
     */
    PeersResponse.encode = function (message, writer, _depth) {
        if (!writer)
            writer = $Writer.create();
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $util.recursionLimit)
            throw $Error("max depth exceeded");
        if (message.peers != null && $Object.hasOwnProperty.call(message, "peers"))
            writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.peers);
        if (message.localPeers != null && $Object.hasOwnProperty.call(message, "localPeers"))
            writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.localPeers);
        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
            for (let i = 0; i < message.$unknowns.length; ++i)
                writer.raw(message.$unknowns[i]);
        return writer;
    };

    /**
     * Decodes a PeersResponse message from the specified reader or buffer.
     * @function decode
     * @memberof PeersResponse
     * @static
     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
     * @param {number} [length] Message length if known beforehand
     * @returns {PeersResponse & PeersResponse.$Shape} PeersResponse
     * @throws {Error} If the payload is not a reader or valid buffer
     * @throws {$protobuf.util.ProtocolError} If required fields are missing
     */
    PeersResponse.decode = function (reader, length, _end, _depth, _target) {
        if (!(reader instanceof $Reader))
            reader = $Reader.create(reader);
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $Reader.recursionLimit)
            throw $Error("max depth exceeded");
        let end, message;
        if (length === $undefined)
            end = reader.len;
        else {
            end = reader.pos + length;
            if (end > reader.len)
                throw $RangeError("index out of range");
            length = reader.len;
            reader.len = end;
        }
        message = _target || new $root.PeersResponse();
        while (reader.pos < end) {
            let start = reader.pos;
            let tag = reader.tag();
            if (tag === _end) {
                _end = $undefined;
                break;
            }
            let wireType = tag & 7;
            switch (tag >>>= 3) {
            case 1: {
                    if (wireType !== 2)
                        break;
                    message.peers = reader.bytes();
                    continue;
                }
            case 2: {
                    if (wireType !== 2)
                        break;
                    message.localPeers = reader.bytes();
                    continue;
                }
            }
            reader.skipType(wireType, _depth, tag);
            if (!reader.discardUnknown) {
                $util.makeProp(message, "$unknowns", false);
                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
            }
        }
        if (length !== $undefined) {
            if (reader.pos !== end)
                throw $RangeError("index out of range");
            reader.len = length;
        }
        if (_end !== $undefined)
            throw $Error("missing end group");
        return message;
    };

    return PeersResponse;
})();

export const ImmutablePut = $root.ImmutablePut = (() => {

    /**
     * Properties of an ImmutablePut.
     * @typedef {Object} ImmutablePut.$Properties
     * @property {Uint8Array} value ImmutablePut value
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */

    /**
     * Properties of an ImmutablePut.
     * @exports IImmutablePut
     * @interface IImmutablePut
     * @augments ImmutablePut.$Properties
     * @deprecated Use ImmutablePut.$Properties instead.
     */

    /**
     * Shape of an ImmutablePut.
     * @typedef {ImmutablePut.$Properties} ImmutablePut.$Shape
     */

    /**
     * Constructs a new ImmutablePut.
     * @exports ImmutablePut
     * @classdesc Represents an ImmutablePut.
     * @constructor
     * @param {ImmutablePut.$Properties=} [properties] Properties to set
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */
    const ImmutablePut = function (properties) {
        if (properties)
            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                    this[keys[i]] = properties[keys[i]];
    };

    /**
     * ImmutablePut value.
     * @member {Uint8Array} value
     * @memberof ImmutablePut
     * @instance
     */
    ImmutablePut.prototype.value = $util.newBuffer([]);

    /**
     * Encodes the specified ImmutablePut message. Does not implicitly {@link ImmutablePut.verify|verify} messages.
     * @function encode
     * @memberof ImmutablePut
     * @static
     * @param {ImmutablePut.$Properties} message ImmutablePut message or plain object to encode
     * @param {$protobuf.Writer} [writer] Writer to encode to
     * @returns {$protobuf.Writer} Writer
     */
    ImmutablePut.encode = function (message, writer, _depth) {
        if (!writer)
            writer = $Writer.create();
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $util.recursionLimit)
            throw $Error("max depth exceeded");
        writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.value);
        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
            for (let i = 0; i < message.$unknowns.length; ++i)
                writer.raw(message.$unknowns[i]);
        return writer;
    };

    /**
     * Decodes an ImmutablePut message from the specified reader or buffer.
     * @function decode
     * @memberof ImmutablePut
     * @static
     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
     * @param {number} [length] Message length if known beforehand
     * @returns {ImmutablePut & ImmutablePut.$Shape} ImmutablePut
     * @throws {Error} If the payload is not a reader or valid buffer
     * @throws {$protobuf.util.ProtocolError} If required fields are missing
     */
    ImmutablePut.decode = function (reader, length, _end, _depth, _target) {
        if (!(reader instanceof $Reader))
            reader = $Reader.create(reader);
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $Reader.recursionLimit)
            throw $Error("max depth exceeded");
        let end, message;
        if (length === $undefined)
            end = reader.len;
        else {
            end = reader.pos + length;
            if (end > reader.len)
                throw $RangeError("index out of range");
            length = reader.len;
            reader.len = end;
        }
        message = _target || new $root.ImmutablePut();
        while (reader.pos < end) {
            let start = reader.pos;
            let tag = reader.tag();
            if (tag === _end) {
                _end = $undefined;
                break;
            }
            let wireType = tag & 7;
            switch (tag >>>= 3) {
            case 1: {
                    if (wireType !== 2)
                        break;
                    message.value = reader.bytes();
                    continue;
                }
            }
            reader.skipType(wireType, _depth, tag);
            if (!reader.discardUnknown) {
                $util.makeProp(message, "$unknowns", false);
                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
            }
        }
        if (length !== $undefined) {
            if (reader.pos !== end)
                throw $RangeError("index out of range");
            reader.len = length;
        }
        if (_end !== $undefined)
            throw $Error("missing end group");
        if (!$Object.hasOwnProperty.call(message, "value"))
            throw $util.ProtocolError("missing required 'value'", { instance: message });
        return message;
    };

    return ImmutablePut;
})();

export const ImmutableValue = $root.ImmutableValue = (() => {

    /**
     * Properties of an ImmutableValue.
     * @typedef {Object} ImmutableValue.$Properties
     * @property {Uint8Array} value ImmutableValue value
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */

    /**
     * Properties of an ImmutableValue.
     * @exports IImmutableValue
     * @interface IImmutableValue
     * @augments ImmutableValue.$Properties
     * @deprecated Use ImmutableValue.$Properties instead.
     */

    /**
     * Shape of an ImmutableValue.
     * @typedef {ImmutableValue.$Properties} ImmutableValue.$Shape
     */

    /**
     * Constructs a new ImmutableValue.
     * @exports ImmutableValue
     * @classdesc Represents an ImmutableValue.
     * @constructor
     * @param {ImmutableValue.$Properties=} [properties] Properties to set
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */
    const ImmutableValue = function (properties) {
        if (properties)
            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                    this[keys[i]] = properties[keys[i]];
    };

    /**
     * ImmutableValue value.
     * @member {Uint8Array} value
     * @memberof ImmutableValue
     * @instance
     */
    ImmutableValue.prototype.value = $util.newBuffer([]);

    /**
     * Encodes the specified ImmutableValue message. Does not implicitly {@link ImmutableValue.verify|verify} messages.
     * @function encode
     * @memberof ImmutableValue
     * @static
     * @param {ImmutableValue.$Properties} message ImmutableValue message or plain object to encode
     * @param {$protobuf.Writer} [writer] Writer to encode to
     * @returns {$protobuf.Writer} Writer
     */
    ImmutableValue.encode = function (message, writer, _depth) {
        if (!writer)
            writer = $Writer.create();
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $util.recursionLimit)
            throw $Error("max depth exceeded");
        writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.value);
        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
            for (let i = 0; i < message.$unknowns.length; ++i)
                writer.raw(message.$unknowns[i]);
        return writer;
    };

    /**
     * Decodes an ImmutableValue message from the specified reader or buffer.
     * @function decode
     * @memberof ImmutableValue
     * @static
     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
     * @param {number} [length] Message length if known beforehand
     * @returns {ImmutableValue & ImmutableValue.$Shape} ImmutableValue
     * @throws {Error} If the payload is not a reader or valid buffer
     * @throws {$protobuf.util.ProtocolError} If required fields are missing
     */
    ImmutableValue.decode = function (reader, length, _end, _depth, _target) {
        if (!(reader instanceof $Reader))
            reader = $Reader.create(reader);
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $Reader.recursionLimit)
            throw $Error("max depth exceeded");
        let end, message;
        if (length === $undefined)
            end = reader.len;
        else {
            end = reader.pos + length;
            if (end > reader.len)
                throw $RangeError("index out of range");
            length = reader.len;
            reader.len = end;
        }
        message = _target || new $root.ImmutableValue();
        while (reader.pos < end) {
            let start = reader.pos;
            let tag = reader.tag();
            if (tag === _end) {
                _end = $undefined;
                break;
            }
            let wireType = tag & 7;
            switch (tag >>>= 3) {
            case 1: {
                    if (wireType !== 2)
                        break;
                    message.value = reader.bytes();
                    continue;
                }
            }
            reader.skipType(wireType, _depth, tag);
            if (!reader.discardUnknown) {
                $util.makeProp(message, "$unknowns", false);
                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
            }
        }
        if (length !== $undefined) {
            if (reader.pos !== end)
                throw $RangeError("index out of range");
            reader.len = length;
        }
        if (_end !== $undefined)
            throw $Error("missing end group");
        if (!$Object.hasOwnProperty.call(message, "value"))
            throw $util.ProtocolError("missing required 'value'", { instance: message });
        return message;
    };

    return ImmutableValue;
})();

export const MutableRequest = $root.MutableRequest = (() => {

    /**
     * Properties of a MutableRequest.
     * @typedef {Object} MutableRequest.$Properties
     * @property {Uint8Array} publicKey MutableRequest publicKey
     * @property {Uint8Array|null} [salt] MutableRequest salt
     * @property {number|null} [seq] MutableRequest seq
     * @property {Uint8Array|null} [value] MutableRequest value
     * @property {Uint8Array|null} [signature] MutableRequest signature
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */

    /**
     * Properties of a MutableRequest.
     * @exports IMutableRequest
     * @interface IMutableRequest
     * @augments MutableRequest.$Properties
     * @deprecated Use MutableRequest.$Properties instead.
     */

    /**
     * Shape of a MutableRequest.
     * @typedef {MutableRequest.$Properties} MutableRequest.$Shape
     */

    /**
     * Constructs a new MutableRequest.
     * @exports MutableRequest
     * @classdesc Represents a MutableRequest.
     * @constructor
     * @param {MutableRequest.$Properties=} [properties] Properties to set
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */
    const MutableRequest = function (properties) {
        if (properties)
            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                    this[keys[i]] = properties[keys[i]];
    };

    /**
     * MutableRequest publicKey.
     * @member {Uint8Array} publicKey
     * @memberof MutableRequest
     * @instance
     */
    MutableRequest.prototype.publicKey = $util.newBuffer([]);

    /**
     * MutableRequest salt.
     * @member {Uint8Array} salt
     * @memberof MutableRequest
     * @instance
     */
    MutableRequest.prototype.salt = $util.newBuffer([]);

    /**
     * MutableRequest seq.
     * @member {number} seq
     * @memberof MutableRequest
     * @instance
     */
    MutableRequest.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

    /**
     * MutableRequest value.
     * @member {Uint8Array} value
     * @memberof MutableRequest
     * @instance
     */
    MutableRequest.prototype.value = $util.newBuffer([]);

    /**
     * MutableRequest signature.
     * @member {Uint8Array} signature
     * @memberof MutableRequest
     * @instance
     */
    MutableRequest.prototype.signature = $util.newBuffer([]);

    /**
     * Encodes the specified MutableRequest message. Does not implicitly {@link MutableRequest.verify|verify} messages.
     * @function encode
     * @memberof MutableRequest
     * @static
     * @param {MutableRequest.$Properties} message MutableRequest message or plain object to encode
     * @param {$protobuf.Writer} [writer] Writer to encode to
     * @returns {$protobuf.Writer} Writer
     */
    MutableRequest.encode = function (message, writer, _depth) {
        if (!writer)
            writer = $Writer.create();
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $util.recursionLimit)
            throw $Error("max depth exceeded");
        writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.publicKey);
        if (message.salt != null && $Object.hasOwnProperty.call(message, "salt"))
            writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.salt);
        if (message.seq != null && $Object.hasOwnProperty.call(message, "seq"))
            writer.uint32(/* id 3, wireType 0 =*/24).uint64(message.seq);
        if (message.value != null && $Object.hasOwnProperty.call(message, "value"))
            writer.uint32(/* id 4, wireType 2 =*/34).bytes(message.value);
        if (message.signature != null && $Object.hasOwnProperty.call(message, "signature"))
            writer.uint32(/* id 5, wireType 2 =*/42).bytes(message.signature);
        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
            for (let i = 0; i < message.$unknowns.length; ++i)
                writer.raw(message.$unknowns[i]);
        return writer;
    };

    /**
     * Decodes a MutableRequest message from the specified reader or buffer.
     * @function decode
     * @memberof MutableRequest
     * @static
     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
     * @param {number} [length] Message length if known beforehand
     * @returns {MutableRequest & MutableRequest.$Shape} MutableRequest
     * @throws {Error} If the payload is not a reader or valid buffer
     * @throws {$protobuf.util.ProtocolError} If required fields are missing
     */
    MutableRequest.decode = function (reader, length, _end, _depth, _target) {
        if (!(reader instanceof $Reader))
            reader = $Reader.create(reader);
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $Reader.recursionLimit)
            throw $Error("max depth exceeded");
        let end, message;
        if (length === $undefined)
            end = reader.len;
        else {
            end = reader.pos + length;
            if (end > reader.len)
                throw $RangeError("index out of range");
            length = reader.len;
            reader.len = end;
        }
        message = _target || new $root.MutableRequest();
        while (reader.pos < end) {
            let start = reader.pos;
            let tag = reader.tag();
            if (tag === _end) {
                _end = $undefined;
                break;
            }
            let wireType = tag & 7;
            switch (tag >>>= 3) {
            case 1: {
                    if (wireType !== 2)
                        break;
                    message.publicKey = reader.bytes();
                    continue;
                }
            case 2: {
                    if (wireType !== 2)
                        break;
                    message.salt = reader.bytes();
                    continue;
                }
            case 3: {
                    if (wireType !== 0)
                        break;
                    message.seq = reader.uint64();
                    continue;
                }
            case 4: {
                    if (wireType !== 2)
                        break;
                    message.value = reader.bytes();
                    continue;
                }
            case 5: {
                    if (wireType !== 2)
                        break;
                    message.signature = reader.bytes();
                    continue;
                }
            }
            reader.skipType(wireType, _depth, tag);
            if (!reader.discardUnknown) {
                $util.makeProp(message, "$unknowns", false);
                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
            }
        }
        if (length !== $undefined) {
            if (reader.pos !== end)
                throw $RangeError("index out of range");
            reader.len = length;
        }
        if (_end !== $undefined)
            throw $Error("missing end group");
        if (!$Object.hasOwnProperty.call(message, "publicKey"))
            throw $util.ProtocolError("missing required 'publicKey'", { instance: message });
        return message;
    };

    return MutableRequest;
})();

export const MutableRecord = $root.MutableRecord = (() => {

    /**
     * Properties of a MutableRecord.
     * @typedef {Object} MutableRecord.$Properties
     * @property {number} seq MutableRecord seq
     * @property {Uint8Array} value MutableRecord value
     * @property {Uint8Array} signature MutableRecord signature
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */

    /**
     * Properties of a MutableRecord.
     * @exports IMutableRecord
     * @interface IMutableRecord
     * @augments MutableRecord.$Properties
     * @deprecated Use MutableRecord.$Properties instead.
     */

    /**
     * Shape of a MutableRecord.
     * @typedef {MutableRecord.$Properties} MutableRecord.$Shape
     */

    /**
     * Constructs a new MutableRecord.
     * @exports MutableRecord
     * @classdesc Represents a MutableRecord.
     * @constructor
     * @param {MutableRecord.$Properties=} [properties] Properties to set
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */
    const MutableRecord = function (properties) {
        if (properties)
            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                    this[keys[i]] = properties[keys[i]];
    };

    /**
     * MutableRecord seq.
     * @member {number} seq
     * @memberof MutableRecord
     * @instance
     */
    MutableRecord.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

    /**
     * MutableRecord value.
     * @member {Uint8Array} value
     * @memberof MutableRecord
     * @instance
     */
    MutableRecord.prototype.value = $util.newBuffer([]);

    /**
     * MutableRecord signature.
     * @member {Uint8Array} signature
     * @memberof MutableRecord
     * @instance
     */
    MutableRecord.prototype.signature = $util.newBuffer([]);

    /**
     * Encodes the specified MutableRecord message. Does not implicitly {@link MutableRecord.verify|verify} messages.
     * @function encode
     * @memberof MutableRecord
     * @static
     * @param {MutableRecord.$Properties} message MutableRecord message or plain object to encode
     * @param {$protobuf.Writer} [writer] Writer to encode to
     * @returns {$protobuf.Writer} Writer
     */
    MutableRecord.encode = function (message, writer, _depth) {
        if (!writer)
            writer = $Writer.create();
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $util.recursionLimit)
            throw $Error("max depth exceeded");
        writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.seq);
        writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.value);
        writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.signature);
        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
            for (let i = 0; i < message.$unknowns.length; ++i)
                writer.raw(message.$unknowns[i]);
        return writer;
    };

    /**
     * Decodes a MutableRecord message from the specified reader or buffer.
     * @function decode
     * @memberof MutableRecord
     * @static
     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
     * @param {number} [length] Message length if known beforehand
     * @returns {MutableRecord & MutableRecord.$Shape} MutableRecord
     * @throws {Error} If the payload is not a reader or valid buffer
     * @throws {$protobuf.util.ProtocolError} If required fields are missing
     */
    MutableRecord.decode = function (reader, length, _end, _depth, _target) {
        if (!(reader instanceof $Reader))
            reader = $Reader.create(reader);
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $Reader.recursionLimit)
            throw $Error("max depth exceeded");
        let end, message;
        if (length === $undefined)
            end = reader.len;
        else {
            end = reader.pos + length;
            if (end > reader.len)
                throw $RangeError("index out of range");
            length = reader.len;
            reader.len = end;
        }
        message = _target || new $root.MutableRecord();
        while (reader.pos < end) {
            let start = reader.pos;
            let tag = reader.tag();
            if (tag === _end) {
                _end = $undefined;
                break;
            }
            let wireType = tag & 7;
            switch (tag >>>= 3) {
            case 1: {
                    if (wireType !== 0)
                        break;
                    message.seq = reader.uint64();
                    continue;
                }
            case 2: {
                    if (wireType !== 2)
                        break;
                    message.value = reader.bytes();
                    continue;
                }
            case 3: {
                    if (wireType !== 2)
                        break;
                    message.signature = reader.bytes();
                    continue;
                }
            }
            reader.skipType(wireType, _depth, tag);
            if (!reader.discardUnknown) {
                $util.makeProp(message, "$unknowns", false);
                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
            }
        }
        if (length !== $undefined) {
            if (reader.pos !== end)
                throw $RangeError("index out of range");
            reader.len = length;
        }
        if (_end !== $undefined)
            throw $Error("missing end group");
        if (!$Object.hasOwnProperty.call(message, "seq"))
            throw $util.ProtocolError("missing required 'seq'", { instance: message });
        if (!$Object.hasOwnProperty.call(message, "value"))
            throw $util.ProtocolError("missing required 'value'", { instance: message });
        if (!$Object.hasOwnProperty.call(message, "signature"))
            throw $util.ProtocolError("missing required 'signature'", { instance: message });
        return message;
    };

    return MutableRecord;
})();

export const PutResponse = $root.PutResponse = (() => {

    /**
     * Properties of a PutResponse.
     * @typedef {Object} PutResponse.$Properties
     * @property {number} status PutResponse status
     * @property {number|null} [seq] PutResponse seq
     * @property {Uint8Array|null} [value] PutResponse value
     * @property {Uint8Array|null} [signature] PutResponse signature
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */

    /**
     * Properties of a PutResponse.
     * @exports IPutResponse
     * @interface IPutResponse
     * @augments PutResponse.$Properties
     * @deprecated Use PutResponse.$Properties instead.
     */

    /**
     * Shape of a PutResponse.
     * @typedef {PutResponse.$Properties} PutResponse.$Shape
     */

    /**
     * Constructs a new PutResponse.
     * @exports PutResponse
     * @classdesc Represents a PutResponse.
     * @constructor
     * @param {PutResponse.$Properties=} [properties] Properties to set
     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
     */
    const PutResponse = function (properties) {
        if (properties)
            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                    this[keys[i]] = properties[keys[i]];
    };

    /**
     * PutResponse status.
     * @member {number} status
     * @memberof PutResponse
     * @instance
     */
    PutResponse.prototype.status = 0;

    /**
     * PutResponse seq.
     * @member {number} seq
     * @memberof PutResponse
     * @instance
     */
    PutResponse.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

    /**
     * PutResponse value.
     * @member {Uint8Array} value
     * @memberof PutResponse
     * @instance
     */
    PutResponse.prototype.value = $util.newBuffer([]);

    /**
     * PutResponse signature.
     * @member {Uint8Array} signature
     * @memberof PutResponse
     * @instance
     */
    PutResponse.prototype.signature = $util.newBuffer([]);

    /**
     * Encodes the specified PutResponse message. Does not implicitly {@link PutResponse.verify|verify} messages.
     * @function encode
     * @memberof PutResponse
     * @static
     * @param {PutResponse.$Properties} message PutResponse message or plain object to encode
     * @param {$protobuf.Writer} [writer] Writer to encode to
     * @returns {$protobuf.Writer} Writer
     */
    PutResponse.encode = function (message, writer, _depth) {
        if (!writer)
            writer = $Writer.create();
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $util.recursionLimit)
            throw $Error("max depth exceeded");
        writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.status);
        if (message.seq != null && $Object.hasOwnProperty.call(message, "seq"))
            writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.seq);
        if (message.value != null && $Object.hasOwnProperty.call(message, "value"))
            writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.value);
        if (message.signature != null && $Object.hasOwnProperty.call(message, "signature"))
            writer.uint32(/* id 4, wireType 2 =*/34).bytes(message.signature);
        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
            for (let i = 0; i < message.$unknowns.length; ++i)
                writer.raw(message.$unknowns[i]);
        return writer;
    };

    /**
     * Decodes a PutResponse message from the specified reader or buffer.
     * @function decode
     * @memberof PutResponse
     * @static
     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
     * @param {number} [length] Message length if known beforehand
     * @returns {PutResponse & PutResponse.$Shape} PutResponse
     * @throws {Error} If the payload is not a reader or valid buffer
     * @throws {$protobuf.util.ProtocolError} If required fields are missing
     */
    PutResponse.decode = function (reader, length, _end, _depth, _target) {
        if (!(reader instanceof $Reader))
            reader = $Reader.create(reader);
        if (_depth === $undefined)
            _depth = 0;
        if (_depth > $Reader.recursionLimit)
            throw $Error("max depth exceeded");
        let end, message;
        if (length === $undefined)
            end = reader.len;
        else {
            end = reader.pos + length;
            if (end > reader.len)
                throw $RangeError("index out of range");
            length = reader.len;
            reader.len = end;
        }
        message = _target || new $root.PutResponse();
        while (reader.pos < end) {
            let start = reader.pos;
            let tag = reader.tag();
            if (tag === _end) {
                _end = $undefined;
                break;
            }
            let wireType = tag & 7;
            switch (tag >>>= 3) {
            case 1: {
                    if (wireType !== 0)
                        break;
                    message.status = reader.uint32();
                    continue;
                }
            case 2: {
                    if (wireType !== 0)
                        break;
                    message.seq = reader.uint64();
                    continue;
                }
            case 3: {
                    if (wireType !== 2)
                        break;
                    message.value = reader.bytes();
                    continue;
                }
            case 4: {
                    if (wireType !== 2)
                        break;
                    message.signature = reader.bytes();
                    continue;
                }
            }
            reader.skipType(wireType, _depth, tag);
            if (!reader.discardUnknown) {
                $util.makeProp(message, "$unknowns", false);
                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
            }
        }
        if (length !== $undefined) {
            if (reader.pos !== end)
                throw $RangeError("index out of range");
            reader.len = length;
        }
        if (_end !== $undefined)
            throw $Error("missing end group");
        if (!$Object.hasOwnProperty.call(message, "status"))
            throw $util.ProtocolError("missing required 'status'", { instance: message });
        return message;
    };

    return PutResponse;
})();

export {
  $root as default
};

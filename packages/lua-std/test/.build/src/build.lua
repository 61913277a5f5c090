--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
-- Lua Library inline imports
local function __TS__ArrayMap(self, callbackfn, thisArg)
    local result = {}
    for i = 1, #self do
        result[i] = callbackfn(thisArg, self[i], i - 1, self)
    end
    return result
end
-- End of Lua Library inline imports
local ____exports = {}
local ____util = require("src.util")
local fold16 = ____util.fold16
local toIpv4 = ____util.toIpv4
local luaType = ____util.luaType
local function payloadLength(payload)
    if payload == nil then
        return 0
    end
    return luaType(payload) == "string" and #payload or payload:len()
end
--- A 20-byte IPv4 header (no options) with its checksum.
function ____exports.ipv4_header(src, dst, protocol, payloadLen, options)
    if options == nil then
        options = {}
    end
    local s = toIpv4(src, "ipv4_header: src")
    local d = toIpv4(dst, "ipv4_header: dst")
    local flags = options.df == false and 0 or 16384
    local header = string.pack(
        ">BBHHHBBHI4I4",
        69,
        options.tos or 0,
        20 + payloadLen,
        options.id or 0,
        flags,
        options.ttl or 64,
        protocol,
        0,
        s,
        d
    )
    local check = fold16(kmod.sum16(header))
    return string.pack(
        ">BBHHHBBHI4I4",
        69,
        options.tos or 0,
        20 + payloadLen,
        options.id or 0,
        flags,
        options.ttl or 64,
        protocol,
        check,
        s,
        d
    )
end
--- Partial sum of the TCP/UDP pseudo-header (RFC 9293 §3.1, RFC 768).
local function pseudoHeaderSum(src, dst, protocol, length)
    return kmod.sum16(string.pack(
        ">I4I4BBH",
        src,
        dst,
        0,
        protocol,
        length
    ))
end
--- A complete IPv4/UDP packet as parts {ip header, udp header, payload}, checksums set.
function ____exports.udp_packet(src, dst, sport, dport, payload, options)
    if payload == nil then
        payload = ""
    end
    if options == nil then
        options = {}
    end
    local n = payloadLength(payload)
    local s = toIpv4(src, "udp_packet: src")
    local d = toIpv4(dst, "udp_packet: dst")
    local header = string.pack(
        ">HHHH",
        sport,
        dport,
        8 + n,
        0
    )
    local sum = pseudoHeaderSum(s, d, 17, 8 + n)
    sum = kmod.sum16(header, 0, 8, sum)
    if n > 0 then
        sum = kmod.sum16(payload, 0, n, sum)
    end
    local check = fold16(sum)
    if check == 0 then
        check = 65535
    end
    return {
        ____exports.ipv4_header(
            s,
            d,
            17,
            8 + n,
            options
        ),
        string.pack(
            ">HHHH",
            sport,
            dport,
            8 + n,
            check
        ),
        payload
    }
end
--- Flag bit values for TcpSegmentSpec.flags.
____exports.TCP_FLAGS = {
    FIN = 1,
    SYN = 2,
    RST = 4,
    PSH = 8,
    ACK = 16,
    URG = 32,
    ECE = 64,
    CWR = 128
}
--- A complete IPv4/TCP packet as parts {ip header, tcp header, payload}, checksums set.
function ____exports.tcp_packet(src, dst, spec, payload, options)
    if payload == nil then
        payload = ""
    end
    if options == nil then
        options = {}
    end
    local n = payloadLength(payload)
    local s = toIpv4(src, "tcp_packet: src")
    local d = toIpv4(dst, "tcp_packet: dst")
    local tcpOptions = spec.options or ""
    if #tcpOptions % 4 ~= 0 or #tcpOptions > 40 then
        error("tcp_packet: options must be a multiple of 4 bytes, at most 40", 2)
    end
    local headerLength = 20 + #tcpOptions
    local function fixed(check)
        return string.pack(
            ">HHI4I4BBHHH",
            spec.sport,
            spec.dport,
            spec.seq & 4294967295,
            (spec.ack or 0) & 4294967295,
            headerLength >> 2 << 4,
            spec.flags,
            spec.window or 65535,
            check,
            0
        ) .. tcpOptions
    end
    local sum = pseudoHeaderSum(s, d, 6, headerLength + n)
    sum = kmod.sum16(
        fixed(0),
        0,
        headerLength,
        sum
    )
    if n > 0 then
        sum = kmod.sum16(payload, 0, n, sum)
    end
    return {
        ____exports.ipv4_header(
            s,
            d,
            6,
            headerLength + n,
            options
        ),
        fixed(fold16(sum)),
        payload
    }
end
--- The addresses of an IP header as integers (source, destination).
local function endpoints(ip)
    return ip.buf:u32(ip.off + 12), ip.buf:u32(ip.off + 16)
end
--- A UDP datagram answering `ip` (a UDP packet): addresses and ports swapped.
function ____exports.reply_udp(ip, payload)
    if payload == nil then
        payload = ""
    end
    local src, dst = endpoints(ip)
    local l4 = ip.off + ip:header_length()
    return ____exports.udp_packet(
        dst,
        src,
        ip.buf:u16(l4 + 2),
        ip.buf:u16(l4),
        payload
    )
end
--- A TCP segment answering `ip` (a TCP packet): addresses and ports swapped;
-- by default it acknowledges everything the packet carried (its sequence
-- number plus its payload length, SYN and FIN counting one).
function ____exports.reply_tcp(ip, flags, payload, seq, ack)
    if payload == nil then
        payload = ""
    end
    local src, dst = endpoints(ip)
    local l4 = ip.off + ip:header_length()
    local theirFlags = ip.buf:u8(l4 + 13)
    local headerLength = (ip.buf:u8(l4 + 12) >> 4) * 4
    local totalLength = ip.buf:u16(ip.off + 2)
    local consumed = totalLength - ip:header_length() - headerLength
    if theirFlags & ____exports.TCP_FLAGS.SYN ~= 0 then
        consumed = consumed + 1
    end
    if theirFlags & ____exports.TCP_FLAGS.FIN ~= 0 then
        consumed = consumed + 1
    end
    local theirSeq = ip.buf:u32(l4 + 4)
    local theirAck = ip.buf:u32(l4 + 8)
    return ____exports.tcp_packet(
        dst,
        src,
        {
            sport = ip.buf:u16(l4 + 2),
            dport = ip.buf:u16(l4),
            seq = seq or theirAck,
            ack = ack or theirSeq + consumed & 4294967295,
            flags = flags
        },
        payload
    )
end
--- Swaps source and destination addresses (and TCP/UDP ports) in place; checksums stay valid (sums are symmetric).
function ____exports.swap_endpoints(ip)
    local src, dst = endpoints(ip)
    ip.buf:set_u32(ip.off + 12, dst)
    ip.buf:set_u32(ip.off + 16, src)
    local protocol = ip.buf:u8(ip.off + 9)
    local l4 = ip.off + ip:header_length()
    if (protocol == 6 or protocol == 17) and l4 + 4 <= ip.off + ip.len then
        local sport = ip.buf:u16(l4)
        ip.buf:set_u16(
            l4,
            ip.buf:u16(l4 + 2)
        )
        ip.buf:set_u16(l4 + 2, sport)
    end
end
--- The parts concatenated into one Lua string (when a single string is needed).
function ____exports.concat(parts)
    return table.concat(__TS__ArrayMap(
        parts,
        function(____, p) return luaType(p) == "string" and p or p:string() end
    ))
end
--- A segment's bytes as a Lua string (one copy).
function ____exports.segment_string(seg)
    return seg:string()
end
return ____exports

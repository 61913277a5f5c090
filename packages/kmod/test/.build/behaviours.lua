--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
local PAYLOAD = 28
--- The verdict is the payload's first byte (5 means XT_CONTINUE).
function ____exports.verdict_from_payload(p)
    local code = p:u8(PAYLOAD)
    return code == 5 and XT_CONTINUE or code
end
function ____exports.read_past_end(p)
    local b = p:bytes()
    return b[b:len()] == 0 and NF_ACCEPT or NF_DROP
end
function ____exports.write_past_end(p)
    p:bytes():set_u16(
        p:len() - 1,
        65535
    )
    return NF_ACCEPT
end
function ____exports.read_negative(p)
    return p:bytes():slice(4, 4)[-1] == 0 and NF_ACCEPT or NF_DROP
end
local kept
local keptPacket
--- Keeps a view of the packet past its verdict.
function ____exports.keep_view(p)
    kept = p:bytes()
    keptPacket = p
    return NF_ACCEPT
end
--- Touches the view kept by keep_view: the engine must raise, not read freed memory.
function ____exports.use_kept_view(_p)
    return kept ~= nil and kept[0] == 69 and NF_ACCEPT or NF_QUEUE
end
function ____exports.use_kept_packet(_p)
    return keptPacket ~= nil and keptPacket:u8(0) == 69 and NF_ACCEPT or NF_QUEUE
end
function ____exports.kept_alive()
    return kept:alive(), keptPacket:alive()
end
function ____exports.raise_error(_p)
    error("boom from the script")
end
function ____exports.return_non_verdict(_p)
    return "accept"
end
function ____exports.return_bad_number(_p)
    return 7
end
function ____exports.spin(_p)
    local n = 0
    while n >= 0 do
        n = n + 1
    end
    return NF_ACCEPT
end
--- Grows a table of strings without bound: the memory budget must stop it.
function ____exports.hog(_p)
    local hoard = {}
    do
        local i = 1
        while i < 100000000 do
            hoard[i] = string.rep("x", 64) .. tostring(i)
            i = i + 1
        end
    end
    return NF_ACCEPT
end
local deferredCalls = {}
--- Defers work to the process context, 100 ms later, with a copy of the payload.
function ____exports.defer(p)
    kmod.schedule(
        "deferred",
        7,
        100,
        p:string(PAYLOAD)
    )
    return NF_ACCEPT
end
function ____exports.deferred(id, data)
    deferredCalls[#deferredCalls + 1] = (((((tostring(id) .. ":") .. data:string()) .. ":") .. (IS_INTERRUPT and "interrupt" or "process")) .. ":") .. tostring(kmod.now_ms())
end
function ____exports.deferred_log()
    return deferredCalls
end
local timerLog = {}
function ____exports.timers(_p)
    local cancelled = kmod.timer(
        50,
        function(what)
            local ____temp_0 = #timerLog + 1
            timerLog[____temp_0] = what
            return ____temp_0
        end,
        "cancelled"
    )
    kmod.timer(
        60,
        function(what)
            local ____temp_1 = #timerLog + 1
            timerLog[____temp_1] = (what .. "@") .. tostring(kmod.now_ms())
            return ____temp_1
        end,
        "kept"
    )
    timerLog[#timerLog + 1] = "cancel=" .. tostring(kmod.cancel(cancelled))
    timerLog[#timerLog + 1] = "cancel again=" .. tostring(kmod.cancel(cancelled))
    return NF_ACCEPT
end
function ____exports.timer_log()
    return timerLog
end
--- Holds each packet and releases it 30 ms later with the verdict in its payload.
function ____exports.hold_and_release(p)
    local handle = p:hold()
    local verdict = p:u8(PAYLOAD)
    kmod.timer(
        30,
        function(h) return kmod.release(h, verdict) end,
        handle
    )
    return NF_STOLEN
end
function ____exports.count(_p)
    local g = _G
    g.counter = (g.counter or 0) + 1
    return NF_ACCEPT
end
function ____exports.counter()
    return _G.counter or 0
end
--- Sets the TTL to 1 and fixes the IP checksum incrementally (RFC 1624).
function ____exports.rewrite_ttl(p)
    local b = p:bytes()
    local old = b:u16(8)
    b:set_u8(8, 1)
    b:set_u16(
        10,
        kmod.checksum_adjust(
            b:u16(10),
            old,
            b:u16(8)
        )
    )
    return NF_ACCEPT
end
--- Replaces the packet by the bytes returned with the verdict.
function ____exports.replace_packet(p)
    local b = kmod.bytes(p:string())
    b:fill(97, PAYLOAD)
    return NF_ACCEPT, b:string()
end
--- Sends the packet back as parts: header string, payload view.
function ____exports.send_parts(p)
    kmod.send({
        p:string(0, PAYLOAD),
        p:bytes():slice(PAYLOAD)
    })
    return NF_DROP
end
function ____exports.checksums(data)
    local b = kmod.bytes(data)
    return b:checksum(), kmod.fold16(kmod.sum16(data)), kmod.fold16(kmod.sum16(
        data,
        2,
        4,
        kmod.sum16(data, 0, 2)
    ))
end
--- Reads two header fields (protocol, destination port) and accepts: the benchmark's trivial hook.
function ____exports.read_two_fields(p)
    return p:u8(9) == 17 and p:u16(22) ~= 0 and NF_ACCEPT or NF_DROP
end
return ____exports

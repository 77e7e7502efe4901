# The board's hardware adapters: thin, device-only. Tested on CPython with a fake `machine`.
#
# Channels 1-3 can use the Pico's own ADC (GP26, GP27, GP28; 12 bits scaled to 16).
# Six channels need an MCP3008 on SPI0 (SCK GP18, MOSI GP19, MISO GP16, CS GP17).

import machine

INTERNAL_PINS = {1: 26, 2: 27, 3: 28}


def internal_reader():
    adcs = {}
    for ch in INTERNAL_PINS:
        adcs[ch] = machine.ADC(INTERNAL_PINS[ch])

    def read(ch):
        return adcs[ch].read_u16()

    return read


def mcp3008_reader(baud=1000000):
    spi = machine.SPI(0, baudrate=baud, polarity=0, phase=0,
                      sck=machine.Pin(18), mosi=machine.Pin(19), miso=machine.Pin(16))
    cs = machine.Pin(17, machine.Pin.OUT, value=1)
    tx = bytearray(3)
    rx = bytearray(3)

    def read(ch):
        tx[0] = 0x01
        tx[1] = (0x08 | (ch - 1)) << 4
        tx[2] = 0
        cs.value(0)
        spi.write_readinto(tx, rx)
        cs.value(1)
        return (((rx[1] & 0x03) << 8) | rx[2]) << 6  # 10 bits to the 16-bit scale

    return read


def board_id():
    uid = machine.unique_id()
    return "PICO-" + "".join("%02X" % b for b in uid)[-8:]

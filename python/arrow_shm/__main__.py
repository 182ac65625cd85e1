"""``python -m arrow_shm list | stat NAME | unlink NAME... | purge | drop-cursor RING CURSOR``."""
import sys

from ._cli import main

sys.exit(main())

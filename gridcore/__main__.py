import sys

from gridcore.cli import main

sys.exit(main())

"""Allow `python -m anbudsradar`."""

from anbudsradar.cli import main

main()

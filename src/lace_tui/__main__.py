from lace_tui.cli import main

raise SystemExit(main())

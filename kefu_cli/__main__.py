from kefu_cli.cli.app import main

main()

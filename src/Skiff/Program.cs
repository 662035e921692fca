Console.Error.WriteLine("usage: skiff up|apiserver [--data-dir DIR] [--port 6443] [--storage sqlite|memory|etcd] [--etcd-servers URL,...]");
return 2;

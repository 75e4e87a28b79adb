Console.WriteLine("traffic generator: not wired yet");

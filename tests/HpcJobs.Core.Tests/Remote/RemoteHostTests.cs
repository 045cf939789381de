using HpcJobs.Core.Model;
using HpcJobs.Core.Remote;

namespace HpcJobs.Core.Tests.Remote;

/// <summary>
/// How a cluster is named (issue 28): an IPv6 address bracketed or not is one host, its location round-trips, and a
/// location this cannot read is an error, never this machine.
/// </summary>
[Trait("Category", "Unit")]
public sealed class RemoteHostTests
{
    [Theory]
    [InlineData("::1", "::1")]
    [InlineData("[::1]", "::1")]
    [InlineData("fe80::1%eth0", "fe80::1%eth0")]
    [InlineData("[2001:db8::1]", "2001:db8::1")]
    [InlineData("cluster.example.org", "cluster.example.org")]
    public void An_IPv6_address_is_taken_bracketed_or_not_and_given_to_ssh_bare(string given, string bare)
    {
        var host = new RemoteHost(given, "hpcbash", 2222);
        Assert.Equal(bare, host.HostName);
        Assert.Equal(["--", bare], host.SshArguments(false, null)[^2..]);
        Assert.Equal(host, RemoteHost.FromLocation(host.Location));
    }

    [Fact]
    public void The_location_of_an_IPv6_host_brackets_the_address()
    {
        Assert.Equal("ssh://hpcbash@[::1]:2222", new RemoteHost("::1", "hpcbash", 2222).Location);
        Assert.Equal("ssh://[::1]", new RemoteHost("[::1]").Location);
    }

    [Theory]
    [InlineData("fe80::zz")]
    [InlineData("[::1")]
    [InlineData("::1]")]
    [InlineData("[cluster]")]
    [InlineData("host:22")]
    [InlineData("a%b")]
    [InlineData("[[::1]]")]
    [InlineData("cluster\n")]
    [InlineData("-oProxyCommand=x")]
    public void What_is_neither_a_host_nor_an_IPv6_address_is_refused(string given)
    {
        var e = Assert.Throws<InvalidJobRequestException>(() => new RemoteHost(given));
        Assert.Equal("HpcInvalidRemoteHost", e.ErrorId);
        Assert.Contains(given, e.Message);
    }

    [Fact]
    public void A_user_name_with_a_trailing_newline_is_refused() =>
        Assert.Equal(
            "HpcInvalidRemoteHost",
            Assert.Throws<InvalidJobRequestException>(() => new RemoteHost("cluster", "me\n")).ErrorId
        );

    [Theory]
    [InlineData("ssh://::1:2222")]
    [InlineData("ssh://a:b:c")]
    [InlineData("ssh://")]
    public void A_location_that_names_a_host_this_cannot_read_is_an_error_not_this_machine(string location) =>
        Assert.Equal(
            "HpcInvalidRemoteHost",
            Assert.Throws<InvalidJobRequestException>(() => RemoteHost.FromLocation(location)).ErrorId
        );

    [Fact]
    public void A_location_of_this_machine_names_no_host()
    {
        Assert.Null(RemoteHost.FromLocation(null));
        Assert.Null(RemoteHost.FromLocation("/root/.local/state/hpcjobs"));
    }
}

// One validation vocabulary: the configuration, the IP plan, the argv builders
// and the transports accept and refuse the same addresses, MACs and paths,
// because they call the same checks (components/plan/validate.ts).
import { describe, expect, it } from "vitest";
import { lrpAdd, lspSetAddresses, setConnection, setSsl } from "../../components/commands/ovnNbctl";
import { ipAddrAdd, ipRouteReplaceDefault } from "../../components/commands/ip";
import { ConfigError, validateConfig } from "../../components/plan/config";
import { planLab } from "../../components/plan/ipPlan";
import { isIpv4, validIpv4, validMac, validPath } from "../../components/plan/validate";
import { transportArgv } from "../../components/transport/transport";

const BAD_IPV4 = ["999.1.1.1", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4x", " 1.2.3.4", "1.2.3.-4"];
const GOOD_IPV4 = ["10.244.1.3", "172.16.56.2", "0.0.0.0", "255.255.255.255"];

describe("one validation vocabulary", () => {
    it.each(BAD_IPV4)("every IPv4 check refuses %j", (bad) => {
        expect(isIpv4(bad)).toBe(false);
        expect(() => validIpv4(bad)).toThrow(/invalid IPv4 address/);
        expect(() => lspSetAddresses("netsho1", [`02:00:00:00:01:03 ${bad}`])).toThrow(/invalid port address/);
        expect(() => lrpAdd("lr0", "lr-node1", "00:00:00:01:01:01", [`${bad}/24`])).toThrow(/invalid IPv4/);
        expect(() => setConnection(`ptcp:6641:${bad}`)).toThrow(/invalid/);
        expect(() => ipAddrAdd(`${bad}/24`, "br-phy")).toThrow(/invalid IPv4/);
        expect(() => ipRouteReplaceDefault(bad, "eth0")).toThrow(/invalid IPv4/);
        expect(() => planLab(validateConfig({ hostCidr: `${bad}/24` }, "dev"))).toThrow(ConfigError);
    });

    it.each(GOOD_IPV4)("every IPv4 check accepts %j", (good) => {
        expect(validIpv4(good)).toBe(good);
        expect(lspSetAddresses("netsho1", [`02:00:00:00:01:03 ${good}`])).toContain(`02:00:00:00:01:03 ${good}`);
        expect(lrpAdd("lr0", "lr-node1", "00:00:00:01:01:01", [`${good}/24`])).toContain(`${good}/24`);
        expect(setConnection(`ptcp:6641:${good}`)).toEqual(["set-connection", `ptcp:6641:${good}`]);
    });

    it("MACs: the builders refuse what validMac refuses (multicast, all-zero, upper case)", () => {
        for (const bad of ["01:00:5e:00:00:01", "00:00:00:00:00:00", "02:00:00:00:01:0A", "02:00:00:00:01"]) {
            expect(() => validMac(bad)).toThrow(/invalid MAC/);
            expect(() => lrpAdd("lr0", "lr-node1", bad, ["10.244.1.1/24"])).toThrow(/invalid MAC/);
            expect(() => lspSetAddresses("netsho1", [`${bad} 10.244.1.3`])).toThrow(/invalid port address/);
        }
    });

    it("paths: set-ssl, the SSH key file and validPath agree", () => {
        for (const bad of ["relative/key.pem", "/etc/../key.pem", "/a b.pem", "/x;rm"]) {
            expect(() => validPath("path", bad)).toThrow(/invalid path/);
            expect(() => setSsl(bad, "/c.pem", "/ca.pem")).toThrow(/invalid private key path/);
            expect(() => transportArgv({ kind: "ssh", host: "node1", port: 22, user: "vagrant", identityFile: bad }, ["true"])).toThrow(/invalid ssh identity file/);
        }
    });
});
